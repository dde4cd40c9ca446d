import { startTestGateway, type TestClient, type TestGateway, type TestWorkspace } from '../../src/testing/index.js';

export interface TwoWorkspaces {
  t: TestGateway;
  /** The first workspace (its ADMIN key's client is `a.client`). */
  a: TestWorkspace;
  /** Another workspace: its keys and ids attack A's. */
  b: TestWorkspace;
  member: TestClient;
  readOnly: TestClient;
}

/** A test gateway with workspace A and its MEMBER and READ_ONLY keys, and workspace B: tenancy and roles tests. */
export async function startWithTwoWorkspaces(): Promise<TwoWorkspaces> {
  const t = await startTestGateway();
  const a = t.workspace;
  const b = await t.createWorkspace('Workspace B');
  return { t, a, b, member: await t.issueKey(a.workspaceId, 'MEMBER'), readOnly: await t.issueKey(a.workspaceId, 'READ_ONLY') };
}
