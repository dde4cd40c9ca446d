// A job's timer must survive a database that fails: the run is reported through `onError`, and the process lives
// on (an unhandled rejection would end it; vitest fails the file on one).
import { CommandRunner } from '@crm/core';
import { openDatabase } from '@crm/db';
import { describe, expect, it } from 'vitest';
import { definePlugin } from '../src/index.js';
import { startJobs } from '../src/host/jobs.js';

describe('plugin job timers', () => {
  it('report a run that fails before reaching any workspace, and keep running', async () => {
    const database = await openDatabase({ kind: 'pglite', dataDir: 'memory://' }, { migrate: false });
    await database.close(); // every statement from now on fails
    const plugin = definePlugin({ id: 'ticker', version: '1.0.0', jobs: { tick: { everyMs: 1_000, run: async () => {} } } });
    const errors: { error: unknown; where: { plugin: string; job: string } }[] = [];
    const jobs = startJobs([plugin], {
      runner: new CommandRunner({ prisma: database.prisma }),
      prisma: database.prisma,
      services: {} as never,
      onError: (error, where) => errors.push({ error, where }),
    });
    try {
      const deadline = Date.now() + 30_000;
      while (errors.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      jobs.stop();
    }
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect(errors[0]!.where).toEqual({ plugin: 'ticker', job: 'tick' });
    expect(errors[0]!.error).toBeInstanceOf(Error);
  });
});
