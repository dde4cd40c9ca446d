// PostGraphile v5 over the benchmark database, as the peer to measure against. Run as its own process:
//   DATABASE_URL=… PORT=… node dist/postgraphile-server.js
// It counts the SQL statements it sends (GET /__statements) so the benchmark can report statements per request, and
// with POSTGRAPHILE_RECORD=1 keeps the last ones it sent, text and values (GET /__statements?recent=N) for
// `npm run bench:lists-sql` to replay.
// POSTGRAPHILE_LISTS=1 adds the connection-filter and aggregates plugins (`npm run bench:lists`).
import http from 'node:http';
import pg from 'pg';

// PostGraphile v5 uses Promise.withResolvers (Node 22); polyfill it on Node 20.
const promiseCtor = Promise as unknown as { withResolvers?: () => unknown };
promiseCtor.withResolvers ??= () => {
  let resolve!: (value: unknown) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};

let statements = 0;
const recording = process.env.POSTGRAPHILE_RECORD === '1';
const recent: { text: string; values: unknown[] }[] = [];
const clientQuery = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  statements++;
  if (recording) {
    const [first, second] = args as [string | { text: string; values?: unknown[] }, unknown];
    recent.push(typeof first === 'string' ? { text: first, values: Array.isArray(second) ? second : [] } : { text: first.text, values: first.values ?? [] });
    if (recent.length > 50) recent.shift();
  }
  return (clientQuery as (...a: unknown[]) => unknown).apply(this, args);
} as typeof clientQuery;

const { postgraphile } = await import('postgraphile');
const { PostGraphileAmberPreset } = await import('postgraphile/presets/amber');
const { makePgService } = await import('postgraphile/adaptors/pg');
const { grafserv } = await import('postgraphile/grafserv/node');

const extras = process.env.POSTGRAPHILE_LISTS === '1' ? [(await import('./postgraphile-plugins.js')).listsPreset] : [];
const preset = {
  extends: [PostGraphileAmberPreset, ...extras],
  pgServices: [makePgService({ connectionString: process.env.DATABASE_URL!, schemas: ['public'] })],
  grafast: { explain: false },
  grafserv: { graphiql: false, watch: false },
};
const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
await serv.ready();
const handler = serv.createHandler() as (req: http.IncomingMessage, res: http.ServerResponse) => void;
const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/__statements') {
    const last = Number(url.searchParams.get('recent') ?? 0);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ statements, ...(last ? { recent: recent.slice(-last) } : {}) }));
    return;
  }
  handler(req, res);
});
server.listen(Number(process.env.PORT ?? 5678), '127.0.0.1', () => console.log('ready'));
process.on('SIGTERM', () => {
  server.close();
  void Promise.resolve(pgl.release()).finally(() => process.exit(0));
});
