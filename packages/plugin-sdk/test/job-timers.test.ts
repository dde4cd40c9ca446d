// A job's timer must survive a database that fails: the run is reported through `onError`, and the process lives
// on (an unhandled rejection would end it; vitest fails the file on one). And a tick that comes while the job's last
// run is still going is skipped and reported: runs of one job never overlap on a gateway (a per-call job's run, held
// between two of its transactions, in a real workspace of a migrated database).
import { CommandRunner } from '@crm/core';
import { openDatabase } from '@crm/db';
import { ensurePGliteTemplate, openTemplateDatabase } from '@crm/db/testing';
import { describe, expect, it } from 'vitest';
import { definePlugin } from '../src/index.js';
import { createPluginHost } from '../src/host/index.js';
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

  it('skip a tick while the last run of the job is still going, and report it; the next tick after it ends runs', async () => {
    const database = await openTemplateDatabase(await ensurePGliteTemplate());
    const { id: workspaceId } = await database.prisma.workspace.create({ data: { name: 'timers' } });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const runs: { started: number; finished: number | null }[] = [];
    let concurrent = 0;
    let mostConcurrent = 0;
    const plugin = definePlugin({
      id: 'slow',
      version: '1.0.0',
      jobs: {
        drain: {
          everyMs: 1_000,
          transaction: 'per-call',
          // Two committed calls with a wait between them that outlasts the interval (the first run only).
          run: async ({ transaction, workspaceId: at }) => {
            if (at !== workspaceId) return;
            const run = { started: Date.now(), finished: null as number | null };
            runs.push(run);
            mostConcurrent = Math.max(mostConcurrent, ++concurrent);
            try {
              await transaction(({ sql }) => sql`SELECT 1 AS one`);
              await held;
              await transaction(({ sql }) => sql`SELECT 1 AS one`);
            } finally {
              concurrent--;
              run.finished = Date.now();
            }
          },
        },
      },
    });
    const skipped: { plugin: string; job: string; runningForMs: number }[] = [];
    const errors: unknown[] = [];
    const jobs = startJobs([plugin], {
      runner: new CommandRunner({ prisma: database.prisma }),
      prisma: database.prisma,
      services: createPluginHost([plugin]).services,
      onError: (error) => errors.push(error),
      onSkipped: (skip) => skipped.push(skip),
    });
    const until = async (done: () => boolean) => {
      const deadline = Date.now() + 60_000;
      while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(done()).toBe(true);
    };
    try {
      await until(() => runs.length >= 1);
      // Without the skip, the next ticks start runs beside the held one.
      await until(() => skipped.length >= 2 || runs.length >= 2);
      expect(runs).toHaveLength(1);
      release();
      await until(() => runs.filter((run) => run.finished !== null).length >= 2);
    } finally {
      release();
      jobs.stop();
    }
    await until(() => concurrent === 0);
    await database.close();
    expect(errors).toEqual([]);
    expect(mostConcurrent).toBe(1);
    // Each run started after the one before it finished.
    for (const [i, run] of runs.entries()) if (i > 0) expect(run.started).toBeGreaterThanOrEqual(runs[i - 1]!.finished!);
    expect(skipped.length).toBeGreaterThanOrEqual(2);
    expect(skipped[0]).toMatchObject({ plugin: 'slow', job: 'drain' });
  });
});
