// The workflows as a connection (workflowsConnection): every workflow a page at a time, newest first, with its total;
// archived ones apart; a cursor of another workspace refused; a page's statements the same whatever its size. The
// list `workflows` stays as it was for its callers.
import type { PluginTestGateway, TestClient } from '@crm/plugin-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREATE, startTwoWorkspaces } from './support.js';

const PAGE = `query ($first: Int, $after: String, $last: Int, $before: String, $archived: Boolean) {
  workflowsConnection(first: $first, after: $after, last: $last, before: $before, archived: $archived) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { node { id name } } } }`;
const ARCHIVE = `mutation ($id: ID!) { archiveWorkflow(input: { id: $id }) { workflow { id } } }`;

let kit: PluginTestGateway;
let admin: TestClient;
let other: TestClient;

beforeAll(async () => {
  ({ kit, admin, other } = await startTwoWorkspaces('Workflow list B'));
});
afterAll(async () => {
  await kit?.close();
});

const definition = { trigger: { kind: 'manual', object: 'Customer' }, steps: [{ id: 't', kind: 'addTag', tag: 'x' }] };

describe('workflowsConnection', () => {
  it('pages through every workflow, newest first, archived ones apart', async () => {
    const made: string[] = [];
    for (let i = 0; i < 7; i++) made.push((await admin.query(CREATE, { name: `Flow ${i}`, definition })).createWorkflow.workflow.id);
    await admin.query(ARCHIVE, { id: made[0] });
    const live = made.slice(1).reverse();

    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: any = (await admin.query(PAGE, { first: 4, after })).workflowsConnection;
      expect(page.totalCount).toBe(6);
      seen.push(...page.edges.map((e: { node: { id: string } }) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(live);
    const backwards: any = (await admin.query(PAGE, { last: 2 })).workflowsConnection;
    expect(backwards.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual(live.slice(-2));

    const archived: any = (await admin.query(PAGE, { first: 10, archived: true })).workflowsConnection;
    expect(archived).toMatchObject({ totalCount: 1, edges: [{ node: { id: made[0] } }] });
    // The list is unchanged for its callers.
    expect((await admin.query(`{ workflows { id } }`)).workflows.map((w: { id: string }) => w.id)).toEqual(live);
  });

  it("refuses another workspace's cursor, and a member", async () => {
    const theirs = (await other.query(CREATE, { name: 'Theirs', definition })).createWorkflow.workflow.id;
    const cursor = (await other.query(PAGE, { first: 1 })).workflowsConnection.pageInfo.endCursor;
    expect((await other.query(PAGE, { first: 1 })).workflowsConnection.edges[0].node.id).toBe(theirs);
    const refused = await admin.request(PAGE, { first: 5, after: cursor });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    const member = await kit.issueKey(kit.workspace.workspaceId, 'MEMBER');
    expect((await member.request(PAGE, { first: 5 })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it("reads a page in the same statements whatever its size (the workflows' versions and latest runs folded in)", async () => {
    const LIST = `query ($first: Int, $after: String) { workflowsConnection(first: $first, after: $after) {
      totalCount edges { node { id name publishedVersion { number } runs(first: 3) { id status } } } } }`;
    const reads = async (variables: Record<string, unknown>) => {
      let fewest: string[] | null = null;
      for (let attempt = 0; attempt < 3; attempt++) {
        const seen = (await kit.sql.during(() => admin.query(LIST, variables))).filter((q) => /^\s*SELECT/.test(q) && /"Workflow(Run|Version)?"/.test(q) && !/FOR UPDATE|SKIP LOCKED/.test(q));
        if (!fewest || seen.length < fewest.length) fewest = seen;
      }
      return fewest!;
    };
    const cursor = (await admin.query(PAGE, { first: 1 })).workflowsConnection.pageInfo.endCursor;
    for (const after of [null, cursor]) {
      const small = await reads({ first: 2, after });
      const large = await reads({ first: 5, after });
      expect(large.length, large.join('\n')).toBe(small.length);
    }
  });
});
