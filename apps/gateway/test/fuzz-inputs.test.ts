// Schema-driven fuzzing (issue 19): every query and mutation field of the composed schema (core and every bundled
// plugin, so a new field is fuzzed without touching this file), and every field with arguments below Query, gets
// inputs of the wrong type and edge values (NUL, lone surrogates, 1 MB strings, deep JSON, huge and negative numbers,
// NaN-like strings, years 0 and 10000, impossible dates, bad ids, unknown enum values), as variables and as
// literals, over HTTP. No answer may be an internal error, and the server must stay healthy. Seeded (FUZZ_SEED):
// a failure names its case, and replays.
import { pluginHostFromEnvironment } from '@crm/plugin-sdk/host';
import {
  getNamedType,
  type GraphQLField,
  type GraphQLInterfaceType,
  type GraphQLObjectType,
  type GraphQLSchema,
  isCompositeType,
  isInterfaceType,
  isNonNullType,
  isObjectType,
} from 'graphql';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Logger } from '../src/logger.js';
import { startTestGateway, type TestGateway } from '../src/testing/index.js';
import { asLiteral, asVariable, fuzzValue, type FuzzValues, seededRandom } from './support/fuzz-values.js';

const SEED = Number(process.env.FUZZ_SEED ?? 19);
/** Cases per field: as variables, then as literals. Sized to finish well under a minute on a busy 2-core machine. */
const VARIABLE_CASES = 5;
const LITERAL_CASES = 2;
/** Fields fuzzed at once (PGlite answers one statement at a time; more would only queue). */
const CONCURRENCY = 4;

const internalErrors: string[] = [];
const logger: Logger = {
  info() {},
  warn() {},
  error: (message, fields) => internalErrors.push(`${message} ${JSON.stringify(fields).slice(0, 400)}`),
};

let t: TestGateway;
const ids: Record<string, string[]> = {};
beforeAll(async () => {
  const { host } = await pluginHostFromEnvironment({ bundledOnly: true });
  t = await startTestGateway({ logger, plugins: host, migrations: host.migrations, rateLimit: { perMinute: 0 }, clvRefresh: false });
  // A few real records, so that some fuzzed ids pass the id checks and reach the code behind them.
  const made = await t.workspace.client.query(`mutation {
    company: createCompany(input: { name: "Fuzz Co" }) { company { id } }
    customer: createCustomer(input: { name: "Fuzz Customer", email: "fuzz@example.com" }) { customer { id } }
  }`);
  const pipelines = await t.workspace.client.query(`{ pipelines { id stages { id } } }`);
  ids.Company = [made.company.company.id];
  ids.Customer = [made.customer.customer.id];
  ids.Pipeline = [pipelines.pipelines[0].id];
  ids.Stage = pipelines.pipelines[0].stages.map((s: { id: string }) => s.id);
}, 300_000);
afterAll(async () => {
  await t?.close();
});

interface Case {
  field: string;
  query: string;
  variables?: Record<string, unknown>;
}

function selectionFor(field: GraphQLField<unknown, unknown>): string {
  return isCompositeType(getNamedType(field.type)) ? ' { __typename }' : '';
}

type FieldPath = readonly GraphQLField<unknown, unknown>[];

const hashOf = (text: string) => [...text].reduce((hash, c) => Math.imul(hash ^ c.charCodeAt(0), 16777619), 2166136261);

/** What a root field is about, for its `id`: `updateDeal` → Deal, `customer` → Customer. */
function subjectOf(rootField: string): string {
  const verb = /^(?:create|update|delete|move|complete|rename|revoke|rotate|redeliver|record|log|convert|link|unlink|mark|redeem|respond)([A-Z]\w*?)(?:s|Secret|Delivery|Lost\w*)?$/.exec(rootField)?.[1];
  return verb ?? rootField[0]!.toUpperCase() + rootField.slice(1);
}

/**
 * Fields with arguments below the root (report figures, `expectedPurchases(weeks:)`, nested connections), each
 * reached by the first path found from Query, at most 5 fields deep: every object type is walked once.
 */
function nestedPaths(schema: GraphQLSchema): FieldPath[] {
  const paths: FieldPath[] = [];
  const seen = new Set<string>([schema.getQueryType()!.name]);
  const queue: [GraphQLObjectType | GraphQLInterfaceType, FieldPath][] = [[schema.getQueryType()!, []]];
  while (queue.length) {
    const [type, path] = queue.shift()!;
    for (const field of Object.values(type.getFields())) {
      const next = [...path, field];
      if (path.length > 0 && field.args.length) paths.push(next);
      const named = getNamedType(field.type);
      if ((isObjectType(named) || isInterfaceType(named)) && next.length < 5 && !seen.has(named.name)) {
        seen.add(named.name);
        queue.push([named, next]);
      }
    }
  }
  return paths;
}

/**
 * The cases for one field (the last of `path`), drawn from its own seeded stream (adding a field does not change
 * the others'). The fields above it get plausible arguments; its own carry more and more edge values.
 */
function casesFor(operation: 'query' | 'mutation', path: FieldPath): Case[] {
  const target = path[path.length - 1]!;
  const name = `${operation}.${path.map((f) => f.name).join('.')}`;
  const random = seededRandom(SEED ^ hashOf(name));
  const subject = subjectOf(path[0]!.name);
  const [variableCases, literalCases] = path.length > 1 ? [2, 1] : [VARIABLE_CASES, LITERAL_CASES];
  const cases: Case[] = [];
  let big = true;
  for (let i = 0; i < variableCases + literalCases; i++) {
    const literal = i >= variableCases;
    // The first case is plausible (reaches the resolver); the others carry more and more edge values.
    const fuzzed: FuzzValues = { ids, edgeRate: i === 0 ? 0 : 0.2 + 0.1 * (i % 3), big: big && !literal && i > 0, literal, subject };
    const plausible: FuzzValues = { ids, edgeRate: 0, big: false, literal: false, subject };
    const declared: string[] = [];
    const variables: Record<string, unknown> = {};
    const render = (field: GraphQLField<unknown, unknown>, k: number) => {
      const isTarget = k === path.length - 1;
      const args = field.args.flatMap((arg, j) => {
        // Paging backwards and forwards at once is refused before anything runs: mostly page forwards.
        if (['last', 'before'].includes(arg.name) && random.chance(0.85)) return [];
        const value = fuzzValue(arg.type, random, isTarget ? fuzzed : plausible, arg.name);
        if (isTarget && literal) return [`${arg.name}: ${asLiteral(value)}`];
        const variable = `v${k}_${j}`;
        declared.push(`$${variable}: ${String(arg.type)}`);
        // A declared variable left out: its absence must be handled too.
        if (value !== null || isNonNullType(arg.type) || random.chance(0.5)) variables[variable] = asVariable(value);
        return [`${arg.name}: $${variable}`];
      });
      return args.length ? `${field.name}(${args.join(', ')})` : field.name;
    };
    const parts = path.map(render);
    big = fuzzed.big;
    const innermost = `${parts[parts.length - 1]}${selectionFor(target)}`;
    const body = parts.slice(0, -1).reduceRight((inner, part) => `${part} { ${inner} }`, innermost);
    cases.push({ field: name, query: `${operation} Fuzz${declared.length ? `(${declared.join(', ')})` : ''} { ${body} }`, variables });
    if (!path.some((field) => field.args.length)) break;
  }
  return cases;
}

async function send(c: Case): Promise<string | null> {
  const response = await fetch(`${t.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: `Bearer ${t.workspace.apiKey}` },
    body: JSON.stringify({ query: c.query, variables: c.variables }),
  });
  const text = await response.text();
  const body = JSON.parse(text) as { errors?: { message: string; extensions?: { code?: string } }[] };
  const internal = body.errors?.find((e) => e.extensions?.code === 'INTERNAL_SERVER_ERROR' || !e.extensions?.code);
  if (response.status >= 500 || internal) {
    const shown = JSON.stringify(c.variables ?? null)?.slice(0, 300);
    return `${c.field} [${response.status}] ${internal?.message ?? text.slice(0, 200)}\n  query: ${c.query.slice(0, 300)}\n  variables: ${shown}`;
  }
  return null;
}

it(`answers no fuzzed input of any query or mutation with an internal error (seed ${SEED})`, async () => {
  const schema = t.gateway.schema;
  const fields = [
    ...Object.values(schema.getQueryType()!.getFields()).map((f) => ['query', f] as const),
    ...Object.values(schema.getMutationType()!.getFields()).map((f) => ['mutation', f] as const),
  ];
  expect(fields.length).toBeGreaterThan(80);
  const nested = nestedPaths(schema);
  expect(nested.length).toBeGreaterThan(20);
  const queue = [...fields.map(([operation, field]) => casesFor(operation, [field])), ...nested.map((path) => casesFor('query', path))];
  const failures: string[] = [];
  let sent = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let cases = queue.shift(); cases; cases = queue.shift()) {
        for (const c of cases) {
          sent++;
          const failure = await send(c);
          if (failure) failures.push(failure);
        }
      }
    }),
  );
  expect(sent).toBeGreaterThan(fields.length * 3);
  expect(failures).toEqual([]);
  expect(internalErrors).toEqual([]);

  // Still healthy: /health, /ready and an ordinary query.
  expect((await fetch(`${t.url}/health`)).status).toBe(200);
  expect((await fetch(`${t.url}/ready`)).status).toBe(200);
  const after = await t.workspace.client.request(`{ customers(first: 5) { totalCount edges { node { name } } } }`);
  expect(after.errors).toBeUndefined();
  expect(after.data?.customers.totalCount).toBeTypeOf('number');
}, 120_000);
