import http from 'node:http';
import { createWorkspace } from '@crm/core';
import { type Database, openDatabase } from '@crm/db';
import { createTestPostgres, type TestPostgres } from '@crm/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../src/gateway.js';
import { silentLogger } from '../src/logger.js';

// Exports under a deadline (docs/data.md, "Export"): each page statement gets REQUEST_TIMEOUT_MS of its own, so a long
// export streams on while one stuck statement ends it: before the status, a 503 TIMEOUT; after it, a last line and the
// `X-Export-Error` trailer say why the body stopped. On PostgreSQL, where a statement past its deadline is abandoned.
// A page is made to wait by another transaction holding an exclusive lock on the table. The gateway runs on the
// database as `npm start` opens it (its pool gives statements up at their deadline).

const TIMEOUT_MS = 800;
const PAGE = 10;
const ROWS = 600;

let pg: TestPostgres;
let database: Database;
let gateway: Gateway;
let url: string;
let workspace: { workspaceId: string; apiKey: string };

beforeAll(async () => {
  pg = await createTestPostgres();
  database = await openDatabase({ kind: 'postgres', url: pg.url, poolSize: 6 }, { migrate: false });
  gateway = createGateway({ database, logger: silentLogger, requestTimeoutMs: TIMEOUT_MS, exportPageSize: PAGE, rateLimit: { perMinute: 0 }, clvRefresh: false, monthEndSnapshots: false, trashRetention: { days: null } });
  url = await gateway.listen(0);
  workspace = await createWorkspace(pg.database.prisma, { name: 'Exports' });
  // ~30 MB of rows (50 kB each): far more than the sockets' buffers hold, so the export is still reading pages
  // while the client reads the first ones.
  await pg.database.sql.query(
    `INSERT INTO "Customer" (id, "workspaceId", name, attributes, "updatedAt")
     SELECT gen_random_uuid(), $1::uuid, 'Big ' || lpad(g::text, 4, '0'), jsonb_build_object('blob', repeat('x', 50000)), now()
       FROM generate_series(1, ${ROWS}) g`,
    [workspace.workspaceId],
  );
});
afterAll(async () => {
  await gateway?.close(1000);
  await database?.close();
  await pg?.drop();
});

/** Holds `LOCK TABLE "Customer"` in another transaction until the returned function is called. */
async function lockCustomers(): Promise<() => Promise<void>> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let held!: () => void;
  const locked = new Promise<void>((resolve) => (held = resolve));
  const session = pg.database.sql.withSession(async (sql) => {
    await sql.query('BEGIN');
    await sql.query('LOCK TABLE "Customer" IN ACCESS EXCLUSIVE MODE');
    held();
    await released;
    await sql.query('ROLLBACK');
  });
  await locked;
  return async () => {
    release();
    await session;
  };
}

function get(path: string): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    http.get(`${url}${path}`, { headers: { authorization: `Bearer ${workspace.apiKey}` } }, resolve).on('error', reject);
  });
}

describe('exports under a deadline per page', () => {
  it('a page that times out after the status ends the body with an error line and the X-Export-Error trailer', async () => {
    const response = await get('/export/customers?format=ndjson&fields=name,attributes&orderBy=NAME');
    expect(response.statusCode).toBe(200);
    expect(response.headers.trailer).toBe('X-Export-Error');
    response.setEncoding('utf8');
    const chunks = response[Symbol.asyncIterator]() as AsyncIterator<string>;
    let text = (await chunks.next()).value as string;
    // The client has the first bytes and reads no further for now: the export waits on the socket. Then the table is
    // locked: the page statement after those already read waits for the lock until its deadline.
    const unlock = await lockCustomers();
    try {
      for (let next = await chunks.next(); !next.done; next = await chunks.next()) text += next.value;
    } finally {
      await unlock();
    }
    const lines = text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { name?: string; error?: { code: string; message: string; rowsExported: number } });
    const last = lines.at(-1)!;
    const rows = lines.slice(0, -1);
    expect(last.error).toMatchObject({ code: 'TIMEOUT', rowsExported: rows.length });
    expect(last.error!.message).toContain('REQUEST_TIMEOUT_MS');
    // Whole pages, in order, and not all of them.
    expect(rows.length % PAGE).toBe(0);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThan(ROWS);
    expect(rows.map((row) => row.name)).toEqual(Array.from({ length: rows.length }, (_, i) => `Big ${String(i + 1).padStart(4, '0')}`));
    expect(response.trailers['x-export-error']).toMatch(/^TIMEOUT: /);
  });

  it('a first page that times out is a 503 TIMEOUT error before anything is sent (CSV too)', async () => {
    const unlock = await lockCustomers();
    let response!: http.IncomingMessage;
    let body = '';
    try {
      response = await get('/export/customers?format=csv&fields=name');
      response.setEncoding('utf8');
      for await (const chunk of response) body += chunk;
    } finally {
      await unlock();
    }
    expect(response.statusCode).toBe(503);
    expect(JSON.parse(body)).toMatchObject({ errors: [{ extensions: { code: 'TIMEOUT' } }] });
  });

  it('an export whose pages each finish in time streams every row, however long it takes in all', async () => {
    const response = await get('/export/customers?format=csv&fields=name&orderBy=NAME');
    response.setEncoding('utf8');
    let body = '';
    for await (const chunk of response) body += chunk;
    const lines = body.split('\r\n').filter(Boolean);
    expect(lines).toHaveLength(ROWS + 1);
    expect(lines.at(-1)).toBe(`Big ${String(ROWS).padStart(4, '0')}`);
    expect(response.trailers['x-export-error']).toBeUndefined();
  });
});
