// Events are numbered at commit (the deferred trigger `event_numbered_at_commit`): `seq` follows commit order even
// when transactions overlap and stays gapless when one rolls back.
// Needs concurrent transactions, so it runs on PostgreSQL (PGlite has one connection).
import type { SqlSession } from '@crm/db';
import { createTestPostgres, type TestPostgres } from '@crm/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, CommandRunner } from '../src/command.js';
import type { RecordedEvent } from '../src/events.js';
import { systemSession } from '../src/session.js';
import { createWorkspace } from '../src/workspaces.js';

let pg: TestPostgres;
let published: RecordedEvent[];
let runner: CommandRunner;
beforeAll(async () => {
  pg = await createTestPostgres();
  published = [];
  runner = new CommandRunner({ prisma: pg.database.prisma, onCommitted: (events) => published.push(...events) });
});
afterAll(async () => {
  await pg?.drop();
});

/** A command that emits `count` events, then waits for `release` before it commits (or throws, to roll back). */
function command(caller: Caller, label: string, count: number, release: Promise<'commit' | 'rollback'>) {
  return caller.run(async ({ emit }) => {
    for (let i = 0; i < count; i++) emit('task.created', { type: 'Task', id: crypto.randomUUID() }, { title: `${label}${i}` });
    if ((await release) === 'rollback') throw new Error('rolled back on purpose');
  });
}

const titles = (events: readonly RecordedEvent[]) => events.map((e) => [Number(e.seq), (e.payload as { title: string }).title]);

describe('event numbering at commit', () => {
  it('numbers overlapping transactions in commit order, gapless, and hands them over numbered', async () => {
    const { workspaceId } = await createWorkspace(pg.database.prisma, { name: 'numbering' });
    const caller = runner.callerFor(systemSession(workspaceId));
    published.length = 0;

    // A inserts its events first but commits last; B commits in between; C rolls back.
    let releaseA!: (how: 'commit') => void;
    let releaseC!: (how: 'rollback') => void;
    const a = command(caller, 'a', 2, new Promise((resolve) => (releaseA = resolve)));
    const c = command(caller, 'c', 1, new Promise((resolve) => (releaseC = resolve)));
    await new Promise((resolve) => setTimeout(resolve, 100)); // A and C have inserted their events
    await command(caller, 'b', 1, Promise.resolve('commit'));
    releaseC('rollback');
    await expect(c).rejects.toThrow();
    releaseA('commit');
    await a;

    const stored = await pg.database.prisma.event.findMany({ where: { workspaceId }, orderBy: { seq: 'asc' } });
    const expected = [
      [1, 'b0'],
      [2, 'a0'],
      [3, 'a1'],
    ];
    expect(stored.map((e) => [Number(e.seq), (e.payload as { title: string }).title])).toEqual(expected);
    expect(titles(published)).toEqual(expected);
    const sequence = await pg.database.prisma.eventSequence.findUniqueOrThrow({ where: { workspaceId } });
    expect(sequence.lastSeq).toBe(3n);
  });

  it('numbers from a counter of its own: event-writing commits leave the Workspace row as it was', async () => {
    // Every insert referencing the workspace key-share-locks its row; a row updated at every commit while others hold
    // such locks gets a new version with a multixact each time, and those lookups grew until commits queued on them
    // (migration event_sequence_table). The counter's row is referenced by nothing.
    const { workspaceId } = await createWorkspace(pg.database.prisma, { name: 'counter' });
    const caller = runner.callerFor(systemSession(workspaceId));
    const version = async () =>
      (await pg.database.sql.query<{ version: string }>(`SELECT ctid::text || ':' || xmin::text AS version FROM "Workspace" WHERE id = $1`, [workspaceId]))[0]!.version;
    const before = await version();
    expect(await pg.database.prisma.eventSequence.findUnique({ where: { workspaceId } })).toBeNull(); // no event yet
    await Promise.all(Array.from({ length: 8 }, (_, i) => command(caller, `w${i}`, 2, Promise.resolve('commit'))));
    expect(await version()).toBe(before);
    const sequence = await pg.database.prisma.eventSequence.findUniqueOrThrow({ where: { workspaceId } });
    expect(sequence.lastSeq).toBe(16n);
    const seqs = await pg.database.prisma.event.findMany({ where: { workspaceId }, orderBy: { seq: 'asc' }, select: { seq: true } });
    expect(seqs.map((e) => Number(e.seq))).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
  });

  it('two transactions racing for a workspace’s first number: the second waits, then follows the first or takes its place', async () => {
    for (const holderEnds of ['COMMIT', 'ROLLBACK'] as const) {
      const { workspaceId } = await createWorkspace(pg.database.prisma, { name: `first number, ${holderEnds}` });
      const insert = (session: SqlSession, title: string) =>
        session.query(
          `INSERT INTO "Event" (id, "workspaceId", type, "subjectType", "subjectId", actor, payload)
           VALUES (gen_random_uuid(), $1::uuid, 'task.created', 'Task', gen_random_uuid(), 'system', $2::jsonb)`,
          [workspaceId, JSON.stringify({ title })],
        );
      await pg.database.sql.withSession((holder) =>
        pg.database.sql.withSession(async (waiter) => {
          // SET CONSTRAINTS … IMMEDIATE numbers a transaction's events now instead of at its COMMIT: the holder makes
          // the workspace's counter row and keeps it locked while it stays open.
          await holder.query('BEGIN');
          await insert(holder, 'holder');
          await holder.query('SET CONSTRAINTS ALL IMMEDIATE');
          const [{ pid }] = (await waiter.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')) as [{ pid: number }];
          await waiter.query('BEGIN');
          await insert(waiter, 'waiter');
          const numbered = waiter.query('SET CONSTRAINTS ALL IMMEDIATE');
          // Until the waiter is seen waiting on the holder's lock (no timing: the state is read).
          while (!(await pg.database.sql.query(`SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND wait_event_type = 'Lock'`, [pid])).length) {
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
          await holder.query(holderEnds);
          await numbered;
          await waiter.query('COMMIT');
        }),
      );
      const stored = await pg.database.prisma.event.findMany({ where: { workspaceId }, orderBy: { seq: 'asc' } });
      const sequence = await pg.database.prisma.eventSequence.findUniqueOrThrow({ where: { workspaceId } });
      if (holderEnds === 'COMMIT') {
        expect(stored.map((e) => [Number(e.seq), (e.payload as { title: string }).title])).toEqual([[1, 'holder'], [2, 'waiter']]);
        expect(sequence.lastSeq).toBe(2n);
      } else {
        expect(stored.map((e) => [Number(e.seq), (e.payload as { title: string }).title])).toEqual([[1, 'waiter']]);
        expect(sequence.lastSeq).toBe(1n);
      }
    }
  });
});
