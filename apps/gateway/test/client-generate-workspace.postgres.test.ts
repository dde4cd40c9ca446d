// `crm client generate --workspace ID` (docs/custom-fields.md, "Typed clients"): the typed client generated for one
// workspace knows its custom fields and objects, so TypeScript checks queries that use them, and refuses a query using
// a field only another workspace has. The CLI runs as a child process on the gateway's PostgreSQL database.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createWorkspace } from '@crm/core';
import { createTestPostgres, type TestPostgres } from '@crm/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../src/gateway.js';
import { silentLogger } from '../src/logger.js';
import { TestClient } from '../src/testing/index.js';
import { cliMain, runNode } from './support/run-cli.js';

const repository = fileURLToPath(new URL('../../..', import.meta.url));
const tsc = path.join(repository, 'node_modules/typescript/bin/tsc');
const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-client-workspace-'));

let pg: TestPostgres;
let gateway: Gateway;
let url: string;
const workspaces: Record<'a' | 'b', { id: string; client: TestClient; apiKey: string }> = {} as never;

const DEFINE_FIELD = `mutation ($i: DefineCustomFieldInput!) { defineCustomField(input: $i) { customField { id } } }`;

beforeAll(async () => {
  pg = await createTestPostgres();
  gateway = createGateway({ database: pg.database, logger: silentLogger, clvRefresh: false, monthEndSnapshots: false, trashRetention: { days: null } });
  url = await gateway.listen(0);
  for (const name of ['a', 'b'] as const) {
    const created = await createWorkspace(pg.database.prisma, { name: `Workspace ${name}` });
    workspaces[name] = { id: created.workspaceId, apiKey: created.apiKey, client: new TestClient(url, created.apiKey) };
  }
  await workspaces.a.client.query(DEFINE_FIELD, { i: { object: 'CUSTOMER', name: 'contractEnd', type: 'DATE' } });
  const contract = (await workspaces.a.client.query(`mutation { defineCustomObject(input: { name: "Contract" }) { customObject { id } } }`)).defineCustomObject.customObject;
  await workspaces.a.client.query(DEFINE_FIELD, { i: { customObjectId: contract.id, name: 'amount', type: 'MONEY', currency: 'EUR' } });
  await workspaces.b.client.query(DEFINE_FIELD, { i: { object: 'CUSTOMER', name: 'membershipNumber', type: 'TEXT' } });
}, 120_000);

afterAll(async () => {
  await gateway?.close(1000);
  await pg?.drop();
  fs.rmSync(temp, { recursive: true, force: true });
});

const run = (script: string, args: string[], env: Record<string, string> = {}) => runNode(args, { script, env, cwd: repository, timeoutMs: 180_000 });

/** The `Customer` type's block of an SDL. */
const customerType = (sdl: string): string => /\ntype Customer [^{]*\{[^}]*\}/.exec(sdl)?.[0] ?? '';

/** Generates workspace `name`'s schema and client types into temp/<name>/. */
async function generate(name: 'a' | 'b') {
  const dir = path.join(temp, name);
  const args = ['client', 'generate', '--workspace', workspaces[name].id, '--out', path.join(dir, 'schema.graphql'), '--types', path.join(dir, 'types')];
  const result = await run(cliMain, args, { DATABASE_URL: pg.url, CRM_ROOT: repository });
  expect(result.code, result.stderr).toBe(0);
  return { dir, summary: JSON.parse(result.stdout.trim().split('\n').at(-1)!) };
}

/** Type-checks a file using the generated client types of `dir` with `query`: tsc's exit code and output. */
async function typeCheck(dir: string, query: string, use: string) {
  const fixture = path.join(dir, `fixture-${Math.random().toString(36).slice(2)}.ts`);
  fs.writeFileSync(
    fixture,
    [
      `import { initGraphQLTada, type ResultOf } from 'gql.tada';`,
      `import type { introspection } from './types/graphql-env.js';`,
      `const graphql = initGraphQLTada<{ introspection: introspection; scalars: { Date: string; Decimal: string; DateTime: string } }>();`,
      `const query = graphql(\`${query}\`);`,
      `export function use(result: ResultOf<typeof query>): string | null | undefined {`,
      `  return ${use};`,
      `}`,
      '',
    ].join('\n'),
  );
  const tsconfig = path.join(dir, `tsconfig-${path.basename(fixture, '.ts')}.json`);
  fs.writeFileSync(
    tsconfig,
    JSON.stringify({
      compilerOptions: {
        strict: true, noEmit: true, skipLibCheck: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', types: [],
        // The fixture lives outside the checkout: gql.tada is the repository's.
        paths: { 'gql.tada': [path.join(repository, 'node_modules/gql.tada')] },
      },
      files: [fixture],
    }),
  );
  return run(tsc, ['-p', tsconfig]);
}

it('writes one workspace\'s schema (its custom fields and objects, not another\'s) and client types that check queries using them', async () => {
  const { dir, summary } = await generate('a');
  expect(summary).toMatchObject({ source: 'composed', workspace: workspaces.a.id, clientTypes: path.join(dir, 'types/graphql-env.d.ts') });
  const sdl = fs.readFileSync(summary.file, 'utf8');
  expect(customerType(sdl)).toContain('contractEnd: Date');
  expect(sdl).toContain('type Contract ');
  expect(customerType(sdl)).not.toContain('membershipNumber');

  const own = await typeCheck(dir, 'query { customers(first: 5) { edges { node { name contractEnd } } } }', 'result.customers.edges[0]?.node.contractEnd');
  expect(own.code, own.stdout + own.stderr).toBe(0);
  const object = await typeCheck(dir, 'query { contracts(first: 5) { edges { node { amount } } } }', 'result.contracts.edges[0]?.node.amount');
  expect(object.code, object.stdout + object.stderr).toBe(0);
  // B's field is not in A's types: gql.tada types a field the schema lacks as `unknown`, so the same use does not compile.
  const other = await typeCheck(dir, 'query { customers(first: 5) { edges { node { name membershipNumber } } } }', 'result.customers.edges[0]?.node.membershipNumber');
  expect(other.code).not.toBe(0);
  expect(other.stdout).toMatch(/fixture-\w+\.ts\(6,3\): error TS2322: Type 'unknown' is not assignable/);

  const b = await generate('b');
  const theirs = await typeCheck(b.dir, 'query { customers(first: 5) { edges { node { name membershipNumber } } } }', 'result.customers.edges[0]?.node.membershipNumber');
  expect(theirs.code, theirs.stdout + theirs.stderr).toBe(0);
}, 600_000);

it('refuses an unknown workspace and --workspace with --url', async () => {
  const unknown = await run(cliMain, ['client', 'generate', '--workspace', '0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b', '--out', path.join(temp, 'x.graphql')], {
    DATABASE_URL: pg.url,
    CRM_ROOT: repository,
  });
  expect(unknown.code).toBe(1);
  expect(unknown.stderr).toContain('No workspace 0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b');
  const both = await run(cliMain, ['client', 'generate', '--workspace', workspaces.a.id, '--url', `${url}/graphql`]);
  expect(both.code).toBe(2);
  expect(both.stderr).toContain('give one or the other');
}, 120_000);

it('GET /schema.graphql serves the key\'s workspace\'s SDL, the same as the CLI writes for it', async () => {
  const response = await fetch(`${url}/schema.graphql`, { headers: { authorization: `Bearer ${workspaces.b.apiKey}` } });
  expect(response.status).toBe(200);
  const sdl = await response.text();
  expect(customerType(sdl)).toContain('membershipNumber: String');
  expect(customerType(sdl)).not.toContain('contractEnd');
  expect(sdl).not.toContain('type Contract ');
  expect(fs.readFileSync(path.join(temp, 'b/schema.graphql'), 'utf8')).toBe(sdl);
  expect((await fetch(`${url}/schema.graphql`)).status).toBe(401);
}, 120_000);
