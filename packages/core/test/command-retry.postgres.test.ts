// A deadlock or serialization failure between concurrent commands is retried once (the whole transaction, from the
// start) and, if it happens again, reported as CONFLICT: never an internal error. On PostgreSQL: it needs real
// concurrent transactions (PGlite has one connection).
import { createTestPostgres, type TestPostgres } from '@crm/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandRunner } from '../src/command.js';
import { isCrmError } from '../src/errors.js';
import { systemSession } from '../src/session.js';
import { createWorkspace } from '../src/workspaces.js';
import { signal } from './signal.js';

let pg: TestPostgres;
let runner: CommandRunner;
beforeAll(async () => {
  pg = await createTestPostgres();
  runner = new CommandRunner({ prisma: pg.database.prisma });
});
afterAll(async () => {
  await pg?.drop();
});

describe('the command runner under write conflicts', () => {
  it('retries the loser of a deadlock once, so both commands succeed', async () => {
    const { workspaceId } = await createWorkspace(pg.database.prisma, { name: 'deadlock' });
    const caller = runner.callerFor(systemSession(workspaceId));
    const x = await pg.database.prisma.company.create({ data: { workspaceId, name: 'X' } });
    const y = await pg.database.prisma.company.create({ data: { workspaceId, name: 'Y' } });
    const aHoldsX = signal();
    const bHoldsY = signal();
    let attempts = 0;
    // A locks X then Y, B locks Y then X: on their first attempts each waits for the other, and PostgreSQL breaks
    // the cycle by failing one with 40P01. Its retry runs after the winner committed.
    const lockBoth = (first: string, second: string, holding: ReturnType<typeof signal>, other: ReturnType<typeof signal>, label: string) =>
      caller.run(async ({ tx }) => {
        const attempt = ++attempts;
        await tx.company.update({ where: { id: first }, data: { industry: label } });
        if (attempt <= 2) {
          holding.fire();
          await other.fired;
        }
        await tx.company.update({ where: { id: second }, data: { industry: label } });
        return label;
      });
    const results = await Promise.all([lockBoth(x.id, y.id, aHoldsX, bHoldsY, 'A'), lockBoth(y.id, x.id, bHoldsY, aHoldsX, 'B')]);
    expect(results).toEqual(['A', 'B']);
    expect(attempts).toBe(3);
    const rows = await pg.database.prisma.company.findMany({ where: { workspaceId }, select: { industry: true } });
    // The retried command ran last, whole: both rows carry its label.
    expect(new Set(rows.map((r) => r.industry)).size).toBe(1);
  });

  it('reports CONFLICT when the retry fails the same way, with nothing written', async () => {
    const { workspaceId } = await createWorkspace(pg.database.prisma, { name: 'serialization' });
    const caller = runner.callerFor(systemSession(workspaceId));
    let attempts = 0;
    const failing = caller.run(async ({ tx }) => {
      attempts++;
      await tx.company.create({ data: { workspaceId, name: `Attempt ${attempts}` } });
      // PostgreSQL's own serialization failure (SQLSTATE 40001), as SERIALIZABLE transactions raise it.
      await tx.$executeRawUnsafe(`DO $$ BEGIN RAISE EXCEPTION USING ERRCODE = '40001', MESSAGE = 'could not serialize access'; END $$`);
    });
    const error = await failing.then(() => null, (e: unknown) => e);
    expect(isCrmError(error) && error.code).toBe('CONFLICT');
    expect(attempts).toBe(2);
    expect(await pg.database.prisma.company.count({ where: { workspaceId } })).toBe(0);
  });
});
