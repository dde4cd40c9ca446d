import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, TestClient, type TestGateway } from '../src/testing/index.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(async () => {
  await t?.close();
});

const CREATE_KEY = `mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id name prefix role revokedAt } } }`;

describe('team members and API keys', () => {
  it('lets an ADMIN add a team member and issue a key that works with its role', async () => {
    const admin = t.workspace.client;
    const user = await admin.query(`mutation { createUser(input: { name: "Sam Seller", email: "Sam@Team.test" }) { user { id name email role active } } }`);
    expect(user.createUser.user).toMatchObject({ name: 'Sam Seller', email: 'sam@team.test', role: 'MEMBER', active: true });

    const issued = await admin.query(CREATE_KEY, { input: { name: 'dashboard', role: 'READ_ONLY', userId: user.createUser.user.id } });
    const { secret, apiKey } = issued.createApiKey;
    expect(secret.startsWith(`crm_${apiKey.prefix}_`)).toBe(true);
    const readOnly = new TestClient(t.url, secret);
    expect((await readOnly.query(`{ viewer { role } }`)).viewer.role).toBe('READ_ONLY');
    expect(await readOnly.errorCode(`mutation { createCompany(input: { name: "X" }) { company { id } } }`)).toBe('FORBIDDEN');

    const listed = await admin.query(`{ apiKeys { totalCount edges { node { name prefix role lastUsedAt } } } }`);
    expect(listed.apiKeys.edges.map((e: any) => e.node.name).sort()).toEqual(['admin', 'dashboard']);
    expect(JSON.stringify(listed)).not.toContain(secret);
  });

  it('keeps key management away from MEMBER and READ_ONLY keys', async () => {
    const member = await t.issueKey(t.workspace.workspaceId, 'MEMBER');
    expect(await member.errorCode(CREATE_KEY, { input: { name: 'x', role: 'ADMIN' } })).toBe('FORBIDDEN');
    expect(await member.errorCode(`{ apiKeys { totalCount } }`)).toBe('FORBIDDEN');
    expect(await member.errorCode(`mutation { createUser(input: { name: "A", email: "a@b.co" }) { user { id } } }`)).toBe('FORBIDDEN');
  });

  it('revokes a key at once, and refuses to revoke the calling key', async () => {
    const admin = t.workspace.client;
    const issued = await admin.query(CREATE_KEY, { input: { name: 'temporary', role: 'MEMBER' } });
    const temporary = new TestClient(t.url, issued.createApiKey.secret);
    expect((await temporary.query(`{ viewer { role } }`)).viewer.role).toBe('MEMBER');
    const revoked = await admin.query(`mutation ($id: ID!) { revokeApiKey(input: { id: $id }) { apiKey { revokedAt } } }`, {
      id: issued.createApiKey.apiKey.id,
    });
    expect(revoked.revokeApiKey.apiKey.revokedAt).not.toBeNull();
    expect(await temporary.errorCode(`{ viewer { role } }`)).toBe('UNAUTHENTICATED');

    const own = await admin.query(`{ apiKeys { edges { node { id name } } } }`);
    const adminKeyId = own.apiKeys.edges.find((e: any) => e.node.name === 'admin').node.id;
    const self = await admin.request(`mutation ($id: ID!) { revokeApiKey(input: { id: $id }) { apiKey { id } } }`, { id: adminKeyId });
    expect(self.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
  });

  it('never accepts a key from its prefix alone or with a wrong secret', async () => {
    const issued = await t.workspace.client.query(CREATE_KEY, { input: { name: 'probe', role: 'ADMIN' } });
    const { secret, apiKey } = issued.createApiKey;
    const forged = `crm_${apiKey.prefix}_${'A'.repeat(32)}`;
    expect(forged).not.toBe(secret);
    expect(await new TestClient(t.url, forged).errorCode(`{ viewer { role } }`)).toBe('UNAUTHENTICATED');
    expect(await new TestClient(t.url, `crm_${apiKey.prefix}`).errorCode(`{ viewer { role } }`)).toBe('UNAUTHENTICATED');
  });
});
