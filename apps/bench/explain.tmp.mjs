// throwaway: EXPLAIN ANALYZE of the engine's statements for Q4, Q5, search (not committed)
import { buildSchema, createReadEngine } from '@crm/graph';
import { parse } from 'graphql';
import pg from 'pg';
const [ws, which = 'q4', mode = 'analyze'] = process.argv.slice(2);
const schema = buildSchema();
const engine = createReadEngine(schema, { defaultPageSize: 20, maxPageSize: 100, onDecline: (r) => console.error('declined', r) });
const queries = {
  q4: [`query ($first: Int!) { activities(first: $first) { pageInfo { hasNextPage endCursor } edges { cursor node { id type channel subject occurredAt customer { id name email } } } } }`, { first: 50 }],
  q5: [`query ($first: Int!, $industry: String!) { customers(first: $first, orderBy: [{ field: CREATED_AT, direction: DESC }], filter: { company: { industry: { eq: $industry } }, orders: { some: { total: { gt: "100" } } } }) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id name email lifecycleStage lifetimeValue company { id name industry } } } } }`, { first: 50, industry: 'Retail' }],
  search: [`query ($q: String!) { customers(search: $q, first: 10) { edges { node { id name email } } } }`, { q: process.env.Q ?? 'McCarthy Kofi' }],
  q1: [`query ($first: Int!) { customers(first: $first) { totalCount edges { node { id name email company { name } owner { name } activities(first: 5) { edges { node { subject occurredAt } } } orders(first: 5) { edges { node { total orderedAt } } } } } } }`, { first: 50 }],
};
const [text, variables] = queries[which];
const compiled = engine.compile(parse(text), null, variables, { workspaceId: ws, role: 'ADMIN', actor: 'system' });
if (mode === 'sql') { console.log(compiled.sql); console.log(JSON.stringify(compiled.params)); process.exit(0); }
const client = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/crm_bench_lists' });
await client.connect();
await client.query('SET max_parallel_workers_per_gather = 0');
if (process.env.JIT_OFF) await client.query('SET jit = off');
for (let i = 0; i < 3; i++) await client.query(compiled.sql, compiled.params);
const { rows } = await client.query(`EXPLAIN (ANALYZE, BUFFERS, COSTS off) ${compiled.sql}`, compiled.params);
console.log(rows.map((r) => r['QUERY PLAN']).join('\n'));
await client.end();
