import {
  createRecordDocument,
  customObjectNames,
  deleteRecordDocument,
  recordHeadDocument,
  recordListDocument,
  restoreRecordDocument,
  type WorkspaceShape,
  workspaceDocuments,
} from '../src/workspace-documents.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestFromSources } from '../src/trusted-documents-manifest.js';
import { TrustedDocuments, type TrustedDocumentsManifest } from '../src/trusted-documents.js';
import { startTestGateway, type TestClient, type TestGateway } from '../src/testing/index.js';

// Trusted documents and the documents the dashboard writes at run time for a workspace's own schema (its custom
// fields and objects): the gateway derives them from the workspace's definitions with the same templates
// (`@crm/gateway/workspace-documents`) and trusts exactly those, for that workspace only, again after every change.
// Everything here is sent as the dashboard sends it: the build-time documents of its manifest, and the templates'.

const repository = new URL('../../../', import.meta.url);
const dashboardSources = ['apps/dashboard/src', 'packages/client/src'].map((dir) => new URL(dir, repository).pathname);

let manifest: TrustedDocumentsManifest;
let t: TestGateway;
let api: TestClient;
const ids: Record<string, string> = {};

/** The text of the dashboard's build-time operation `name`. */
const named = (name: string) => Object.values(manifest).find((text) => new RegExp(`^(query|mutation) ${name}\\b`).test(text))!;
const code = (result: { errors?: { extensions?: Record<string, unknown> }[] }) => result.errors?.[0]?.extensions?.code;
const CONTRACT = { name: 'Contract', pluralName: 'contracts' };

beforeAll(async () => {
  manifest = manifestFromSources(dashboardSources);
  t = await startTestGateway({ trustedDocuments: new TrustedDocuments(manifest) });
  api = t.workspace.client;
  const defineField = (input: Record<string, unknown>) => api.query(named('DefineCustomField'), { input });
  ids.contract = (await api.query(named('DefineCustomObject'), { input: { name: 'Contract', label: 'Contract' } })).defineCustomObject.customObject.id;
  await defineField({ customObjectId: ids.contract, name: 'number', label: 'Number', type: 'TEXT' });
  await defineField({ customObjectId: ids.contract, name: 'customer', label: 'Customer', type: 'RELATION', target: 'Customer' });
  await defineField({ object: 'CUSTOMER', name: 'tier', label: 'Tier', type: 'TEXT' });
  ids.ada = (await api.query(named('NewCustomer'), { input: { name: 'Ada Trusted' } })).createCustomer.customer.id;
  ids.c1 = (await api.query(createRecordDocument(customObjectNames(CONTRACT)), { input: { number: 'C-1', customer: ids.ada } })).createContract.contract.id;
});
afterAll(async () => {
  await t?.close();
});

/** The workspace as the dashboard learns it (its definitions, through its own build-time documents), and the documents it writes. */
async function dashboardDocuments(client: TestClient): Promise<string[]> {
  const { customObjects } = await client.query(named('RelationTargets'));
  const fieldsOf = async (object: string) => (await client.query(named('CustomFieldDefinitions'), { object, customObjectId: null, includeArchived: false })).customFields;
  const shape: WorkspaceShape = {
    builtInFields: { Customer: await fieldsOf('CUSTOMER'), Company: await fieldsOf('COMPANY') },
    objects: customObjects,
    trashTypes: ['Customer', ...customObjects.map((o: { name: string }) => o.name)],
  };
  return workspaceDocuments(shape);
}

describe('documents written at run time for a workspace, with trusted documents on', () => {
  it('runs every document the templates give for the workspace, as the dashboard writes them', async () => {
    const documents = await dashboardDocuments(api);
    expect(documents.length).toBeGreaterThan(12);
    const refused: string[] = [];
    for (const query of documents) {
      // Run without variables: whatever else the answer says (a missing variable), the document itself is trusted.
      if (code(await api.request(query)) === 'PERSISTED_QUERY_ONLY') refused.push(query);
    }
    expect(refused).toEqual([]);
    const list = await api.query(recordListDocument(customObjectNames(CONTRACT), [{ name: 'number', type: 'TEXT' }, { name: 'customer', type: 'RELATION', target: 'Customer' }], []), { first: 10 });
    expect(list.contracts.edges).toEqual([{ node: { id: ids.c1, createdAt: expect.any(String), number: 'C-1', customer: { id: ids.ada, name: 'Ada Trusted' } } }]);
    const head = await api.query(recordHeadDocument(customObjectNames(CONTRACT), 'number'), { id: ids.c1 });
    expect(head.contract.number).toBe('C-1');
  });

  it('refuses any other document naming the workspace’s fields, and a template with a field more', async () => {
    const other = await api.request(`{ contracts(first: 100) { edges { node { id number customer { id email phone } } } } }`);
    expect(code(other)).toBe('PERSISTED_QUERY_ONLY');
    const widened = recordHeadDocument(customObjectNames(CONTRACT), 'number').replace('updatedAt', 'updatedAt customer { email }');
    expect(code(await api.request(widened, { id: ids.c1 }))).toBe('PERSISTED_QUERY_ONLY');
    // A template of an object the workspace does not have.
    expect(code(await api.request(recordHeadDocument(customObjectNames({ name: 'Invoice', pluralName: 'invoices' }), null), { id: ids.c1 }))).toBe('PERSISTED_QUERY_ONLY');
    // Without a key, no workspace document is trusted.
    expect(code(await t.client(null).request(recordHeadDocument(customObjectNames(CONTRACT), 'number'), { id: ids.c1 }))).toBe('PERSISTED_QUERY_ONLY');
  });

  it('trusts a workspace’s documents for that workspace only', async () => {
    const other = await t.createWorkspace('Other trusted');
    const head = recordHeadDocument(customObjectNames(CONTRACT), 'number');
    expect(code(await other.client.request(head, { id: ids.c1 }))).toBe('PERSISTED_QUERY_ONLY');
    // Even once it defines an object of the same name (its documents are its own: the label field differs).
    await other.client.query(named('DefineCustomObject'), { input: { name: 'Contract', label: 'Contract' } });
    expect(code(await other.client.request(head, { id: ids.c1 }))).toBe('PERSISTED_QUERY_ONLY');
    // Its own run, and do not reach the first workspace's record.
    const own = await other.client.request(recordHeadDocument(customObjectNames(CONTRACT), null), { id: ids.c1 });
    expect(own.errors).toBeUndefined();
    expect(own.data).toEqual({ contract: null });
  });

  it('follows the definitions: after a rename the old documents are refused and the new ones run', async () => {
    const before = deleteRecordDocument(customObjectNames(CONTRACT));
    await api.query(named('RenameCustomObject'), { input: { id: ids.contract, name: 'Agreement', pluralName: 'agreements' } });
    expect(code(await api.request(before, { input: { id: ids.c1 } }))).toBe('PERSISTED_QUERY_ONLY');
    const agreement = customObjectNames({ name: 'Agreement', pluralName: 'agreements' });
    const id = (await api.query(createRecordDocument(agreement), { input: { number: 'A-2' } })).createAgreement.agreement.id;
    expect((await api.query(deleteRecordDocument(agreement), { input: { id, reason: null } })).deleteAgreement.deletedAgreementId).toBe(id);
    expect((await api.query(restoreRecordDocument('Agreement'), { input: { id } })).restoreAgreement.__typename).toBe('RestoreAgreementPayload');
  });
});
