// A refresh of a FILTER segment that turned STATIC after the refresh read it changes nothing: its statement checks the
// kind (membership.ts, `stillFilter`). On PostgreSQL: the turn commits from another connection while the refreshing
// transaction holds the segment as it read it (PGlite has one connection, so nothing races there).
import { createTestPostgres, type TestPostgres } from '@crm/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CommandRunner } from '../src/command.js';
import { createCustomer } from '../src/services/customers.js';
import { refreshSegments } from '../src/services/segments/membership.js';
import { createSegment, updateSegment } from '../src/services/segments/segments.js';
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

it('a refresh that read the segment as FILTER before it turned STATIC neither adds nor removes members', async () => {
  const { workspaceId } = await createWorkspace(pg.database.prisma, { name: 'turn during refresh' });
  const caller = runner.callerFor(systemSession(workspaceId));
  const alice = await createCustomer(caller, { name: 'Alice' });
  const bob = await createCustomer(caller, { name: 'Bob' });
  const segment = await createSegment(caller, { name: 'Alices', filter: { name: { eq: 'Alice' } } });
  const read = signal();
  const turned = signal();
  // What a customer command's before-commit hook does: Bob now matches the filter; the segments are read (FILTER);
  // the turn commits meanwhile; then the segments read are refreshed for Bob.
  const refreshing = caller.run(async (scope) => {
    await scope.tx.customer.update({ where: { id: bob.id }, data: { name: 'Alice' } });
    const segments = await scope.tx.segment.findMany({ select: { id: true, name: true, kind: true, filter: true } });
    read.fire();
    await turned.fired;
    await refreshSegments(scope, [bob.id], new Set(), segments);
  });
  await read.fired;
  await updateSegment(caller, { id: segment.id, kind: 'STATIC' });
  turned.fire();
  await refreshing;

  const members = await pg.database.prisma.segmentMember.findMany({ where: { segmentId: segment.id }, select: { customerId: true } });
  expect(members.map((m) => m.customerId)).toEqual([alice.id]);
  const moves = await pg.database.prisma.event.findMany({ where: { workspaceId, type: { in: ['segment.entered', 'segment.left'] } }, select: { type: true, subjectId: true } });
  expect(moves).toEqual([{ type: 'segment.entered', subjectId: alice.id }]);
});
