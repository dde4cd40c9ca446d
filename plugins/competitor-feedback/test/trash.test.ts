// A plugin object gets the trash like core objects, because its model has `deletedAt` (docs/plugins/api-reference.md):
// deleteCompetitor(s) move a competitor and its feedback to the trash, restoreCompetitor brings both back,
// destroyCompetitor (ADMIN) and retention remove them for good, trash(object: COMPETITOR) lists them; the events are
// the trash's; another workspace and READ_ONLY keys are refused.
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { competitorFeedback } from '../src/index.js';

const CREATE = `mutation ($name: String!) { createCompetitor(input: { name: $name }) { competitor { id } } }`;
const FEEDBACK = `mutation ($competitorId: ID!) { recordCompetitorFeedback(input: { competitorId: $competitorId, kind: PRICE, sentiment: NEGATIVE }) { feedback { kind } } }`;
const DELETE = `mutation ($id: ID!, $reason: String) { deleteCompetitor(input: { id: $id, reason: $reason }) { deletedCompetitorId } }`;
const RESTORE = `mutation ($id: ID!) { restoreCompetitor(input: { id: $id }) { competitor { id name } } }`;
const DESTROY = `mutation ($id: ID!) { destroyCompetitor(input: { id: $id }) { destroyedCompetitorId } }`;
const TRASH = `{ trash(object: COMPETITOR, first: 10) { edges { node { id object label deleteReason deletedBy trashedWith } } } }`;
const ONE = `query ($id: ID!) { competitor(id: $id) { name } }`;
const SENTIMENT = `query ($id: ID!, $from: DateTime!, $to: DateTime!) { competitorInsights(competitorId: $id, from: $from, to: $to) { sentiment { negative } } }`;
const DAY = 86_400_000;
const from = new Date(Date.now() - 3_600_000).toISOString();
const to = new Date(Date.now() + 3_600_000).toISOString();

let kit: PluginTestGateway;
let admin: TestClient;

beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [competitorFeedback], trashRetention: { days: 30 } });
  admin = kit.workspace.client;
});
afterAll(async () => {
  await kit?.close();
});

const rowIdOf = (globalId: string) => Buffer.from(globalId, 'base64').toString('utf8').split(':')[1]!;
async function competitorWithFeedback(name: string, feedback: number, client = admin): Promise<string> {
  const id = (await client.query(CREATE, { name })).createCompetitor.competitor.id as string;
  for (let i = 0; i < feedback; i++) await client.query(FEEDBACK, { competitorId: id });
  return id;
}
async function rows(table: 'Competitor' | 'CompetitorFeedback', id: string) {
  const column = table === 'Competitor' ? 'id' : '"competitorId"';
  return kit.database.sql.query<{ deletedAt: Date | null; trashedWithId: string | null }>(
    `SELECT "deletedAt", "trashedWithId"::text AS "trashedWithId" FROM "${table}" WHERE ${column} = $1::uuid`,
    [rowIdOf(id)],
  );
}
const trashLabels = async (client: TestClient) =>
  (await client.query(TRASH)).trash.edges.map((edge: { node: { label: string } }) => edge.node.label) as string[];

describe('the trash of a plugin object', () => {
  it('deleteCompetitor moves it and its feedback to the trash; it is listed there; restore brings both back', async () => {
    const id = await competitorWithFeedback('Brewmaster', 2);
    const deleted = await admin.query(DELETE, { id, reason: 'Acquired' });
    expect(deleted.deleteCompetitor.deletedCompetitorId).toBe(id);

    // Gone from every read, its feedback with it (trashed with it, not on its own).
    expect((await admin.query(ONE, { id })).competitor).toBeNull();
    const names = (await admin.query(`{ competitors(first: 50) { edges { node { name } } } }`)).competitors.edges.map((e: { node: { name: string } }) => e.node.name);
    expect(names).not.toContain('Brewmaster');
    const feedback = await rows('CompetitorFeedback', id);
    expect(feedback).toHaveLength(2);
    expect(feedback.every((row) => row.deletedAt !== null && row.trashedWithId === rowIdOf(id))).toBe(true);

    const [entry] = (await admin.query(TRASH)).trash.edges.map((edge: { node: unknown }) => edge.node);
    expect(entry).toMatchObject({ id, object: 'COMPETITOR', label: 'Brewmaster', deleteReason: 'Acquired', trashedWith: null });
    expect(entry.deletedBy).toBeTruthy();
    const trashed = await kit.lastEvent('competitor.trashed');
    expect(trashed).toMatchObject({ subjectType: 'Competitor', subjectId: rowIdOf(id), payload: { reason: 'Acquired', withRelated: 2 } });

    // The name stays taken while it is in the trash (as a customer's email does).
    const again = await admin.request(CREATE, { name: 'brewmaster' });
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'name' });
    expect(again.errors?.[0]?.message).toMatch(/trash/);

    const restored = await admin.query(RESTORE, { id });
    expect(restored.restoreCompetitor.competitor).toEqual({ id, name: 'Brewmaster' });
    expect((await rows('CompetitorFeedback', id)).every((row) => row.deletedAt === null && row.trashedWithId === null)).toBe(true);
    expect((await admin.query(SENTIMENT, { id, from, to })).competitorInsights.sentiment.negative).toBe(2);
    expect(await trashLabels(admin)).not.toContain('Brewmaster');
    expect((await kit.lastEvent('competitor.restored')).payload).toMatchObject({ reason: null, withRelated: 2 });

    const notTrashed = await admin.request(RESTORE, { id });
    expect(notTrashed.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('deleteCompetitors (bulk) trashes too; destroyCompetitor (ADMIN) removes it and its feedback for good', async () => {
    const id = await competitorWithFeedback('Crema Corp', 1);
    const bulk = await admin.query(`mutation { deleteCompetitors(where: { filter: { name: { eq: "Crema Corp" } } }, reason: "Duplicate") { deletedIds } }`);
    expect(bulk.deleteCompetitors.deletedIds).toEqual([id]);
    expect(await trashLabels(admin)).toContain('Crema Corp');

    const member = await kit.issueKey(kit.workspace.workspaceId, 'MEMBER');
    const refused = await member.request(DESTROY, { id });
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    expect((await admin.query(DESTROY, { id })).destroyCompetitor.destroyedCompetitorId).toBe(id);
    expect(await rows('Competitor', id)).toHaveLength(0);
    expect(await rows('CompetitorFeedback', id)).toHaveLength(0);
    expect((await kit.lastEvent('competitor.destroyed')).payload).toMatchObject({ withRelated: 1 });
    // The name is free again.
    expect((await admin.query(CREATE, { name: 'Crema Corp' })).createCompetitor.competitor.id).toBeTruthy();
  });

  it('retention destroys competitors trashed longer ago than TRASH_RETENTION_DAYS, with their feedback', async () => {
    const old = await competitorWithFeedback('Old Beans', 1);
    const young = await competitorWithFeedback('Young Beans', 0);
    await admin.query(DELETE, { id: old });
    await admin.query(DELETE, { id: young });
    await kit.database.sql.query(`UPDATE "Competitor" SET "deletedAt" = now() - interval '40 days' WHERE id = $1::uuid`, [rowIdOf(old)]);

    expect(await kit.gateway.trashRetention.runOnce()).toBe(1);
    expect(await rows('Competitor', old)).toHaveLength(0);
    expect(await rows('CompetitorFeedback', old)).toHaveLength(0);
    expect(await trashLabels(admin)).toContain('Young Beans');
    expect((await kit.lastEvent('competitor.destroyed')).payload).toMatchObject({ reason: 'retention', withRelated: 1 });
    expect(await kit.gateway.trashRetention.runOnce(new Date(Date.now() + 31 * DAY))).toBe(1);
    expect(await rows('Competitor', young)).toHaveLength(0);
  });

  it('another workspace cannot list, restore or destroy it; READ_ONLY keys cannot delete or restore', async () => {
    const id = await competitorWithFeedback('Guarded Grounds', 1);
    await admin.query(DELETE, { id, reason: 'Test' });

    const other = (await kit.createWorkspace('Other Roasters')).client;
    expect(await trashLabels(other)).toEqual([]);
    for (const mutation of [RESTORE, DESTROY, DELETE]) {
      const foreign = await other.request(mutation, { id });
      expect(foreign.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    }

    const reader = await kit.issueKey(kit.workspace.workspaceId, 'READ_ONLY');
    expect((await reader.request(RESTORE, { id })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const live = await competitorWithFeedback('Live Grounds', 0);
    expect((await reader.request(DELETE, { id: live })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const bulk = await reader.request(`mutation ($ids: [ID!]!) { deleteCompetitors(where: { ids: $ids }) { deletedIds } }`, { ids: [live] });
    expect(bulk.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await admin.query(ONE, { id: live })).competitor).toEqual({ name: 'Live Grounds' });
    expect((await rows('Competitor', id))[0]!.deletedAt).not.toBeNull();
  });

  it("a person's feedback on a trashed competitor is still exported and erased with them", async () => {
    const competitorId = await competitorWithFeedback('Private Press', 0);
    const customerId = (await admin.query(`mutation { createCustomer(input: { name: "Pia Private" }) { customer { id } } }`)).createCustomer.customer.id as string;
    await admin.query(`mutation ($i: RecordCompetitorFeedbackInput!) { recordCompetitorFeedback(input: $i) { feedback { kind } } }`, {
      i: { competitorId, customerId, kind: 'PRICE', sentiment: 'NEGATIVE', note: 'Pia finds us dear' },
    });
    await admin.query(DELETE, { id: competitorId });

    const exported = await admin.query(`mutation ($c: ID!) { exportPersonalData(input: { customerId: $c }) { document } }`, { c: customerId });
    expect(exported.exportPersonalData.document.plugins['competitor-feedback'].feedback).toHaveLength(1);
    await admin.query(`mutation ($c: ID!) { erasePerson(input: { customerId: $c }) { erasedCustomerId } }`, { c: customerId });
    expect(await rows('CompetitorFeedback', competitorId)).toHaveLength(0);
  });
});
