// The export benchmark of docs/performance.md. Usage (from the repository root):
//   npm run bench:export -- [--rows 1000000] [--formats csv,ndjson]
// Fills a throwaway PostgreSQL database with `rows` customers (in companies of 8, every column of a real customer
// filled) by INSERT … SELECT on the server, starts a gateway in its own process, then streams
// GET /export/customers?format=… once per format (every field, plus company.name), reading the body as it arrives
// without keeping it. Prints one JSON line: rows/s and MB/s per format, and the gateway's resident memory before and
// its peak after (a flat export keeps the peak near the idle figure whatever the row count).
import { fork } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createWorkspace } from '@crm/core';
import { createTestPostgres } from '@crm/db/testing';
import type { ExportGatewayMessage } from './export-gateway.js';

const { values: args } = parseArgs({ options: { rows: { type: 'string', default: '1000000' }, formats: { type: 'string', default: 'csv,ndjson' } } });
const rows = Number(args.rows);
const formats = args.formats!.split(',');
const log = (line: string) => process.stderr.write(`[bench:export] ${line}\n`);

const pg = await createTestPostgres();
try {
  const { workspaceId, apiKey } = await createWorkspace(pg.database.prisma, { name: 'Export benchmark' });
  const sql = pg.database.sql;
  let started = performance.now();
  const companies = Math.ceil(rows / 8);
  await sql.query(
    `INSERT INTO "Company" (id, "workspaceId", name, domain, industry, "updatedAt")
     SELECT gen_random_uuid(), $1::uuid, 'Company ' || i, 'c' || i || '.example', (ARRAY['Retail','Software','Health'])[1 + i % 3], now()
       FROM generate_series(1, $2::int) i`,
    [workspaceId, companies],
  );
  const chunk = 50_000;
  for (let from = 0; from < rows; from += chunk) {
    await sql.query(
      `WITH co AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM "Company" WHERE "workspaceId" = $1::uuid)
       INSERT INTO "Customer" (id, "workspaceId", name, email, phone, "phoneE164", "lifecycleStage", tags, "lifetimeValue", "orderCount",
                               "companyId", "createdAt", "updatedAt")
       SELECT gen_random_uuid(), $1::uuid, 'Customer ' || i, 'customer' || i || '@mail.example', '+1 202 555 ' || lpad((i % 10000)::text, 4, '0'),
              '+1202555' || lpad((i % 10000)::text, 4, '0'),
              (ARRAY['PROSPECT','LEAD','CUSTOMER','ADVOCATE','CHURNED']::"LifecycleStage"[])[1 + i % 5], ARRAY['bench', 'tier-' || (i % 4)],
              (i % 5000)::numeric / 7, i % 40, co.id, now() - (i % 1000) * interval '1 hour', now()
         FROM generate_series($2::int + 1, $3::int) i JOIN co ON co.n = 1 + (i % $4::int)`,
      [workspaceId, from, Math.min(rows, from + chunk), companies],
    );
    log(`seeded ${Math.min(rows, from + chunk).toLocaleString('en')} of ${rows.toLocaleString('en')} customers`);
  }
  await sql.query(`ANALYZE`);
  log(`seeded in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const gateway = fork(fileURLToPath(new URL('./export-gateway.js', import.meta.url)), { env: { ...process.env, DATABASE_URL: pg.url }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = (kind: ExportGatewayMessage['kind']) =>
    new Promise<ExportGatewayMessage>((resolve) => {
      const listener = (message: ExportGatewayMessage) => {
        if (message.kind !== kind) return;
        gateway.off('message', listener);
        resolve(message);
      };
      gateway.on('message', listener);
    });
  const memory = async () => {
    const reply = next('memory');
    gateway.send({ kind: 'memory' });
    return (await reply) as Extract<ExportGatewayMessage, { kind: 'memory' }>;
  };
  const { url } = (await next('ready')) as Extract<ExportGatewayMessage, { kind: 'ready' }>;
  const idle = await memory();
  const results: Record<string, unknown>[] = [];
  for (const format of formats) {
    started = performance.now();
    const response = await fetch(`${url}/export/customers?format=${format}&fields=id,name,email,phone,lifecycleStage,tags,lifetimeValue,orderCount,createdAt,company.name`, {
      headers: { authorization: `Bearer ${apiKey}` },
    });
    if (response.status !== 200) throw new Error(`export answered ${response.status}: ${await response.text()}`);
    let bytes = 0;
    let lines = 0;
    const reader = response.body!.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.length;
      for (let i = 0; i < value.length; i++) if (value[i] === 10) lines++;
    }
    const seconds = (performance.now() - started) / 1000;
    const exported = format === 'csv' ? lines - 1 : lines;
    if (exported !== rows) throw new Error(`${format}: exported ${exported} rows of ${rows}`);
    const after = await memory();
    results.push({ format, rows: exported, seconds: +seconds.toFixed(1), rowsPerSecond: Math.round(exported / seconds), mbPerSecond: +(bytes / 1048576 / seconds).toFixed(1), peakRssMb: after.peakRssMb });
    log(`${format}: ${exported.toLocaleString('en')} rows in ${seconds.toFixed(1)} s`);
  }
  gateway.send({ kind: 'stop' });
  await new Promise((resolve) => gateway.once('exit', resolve));
  process.stdout.write(
    `${JSON.stringify({ bench: 'export', database: 'postgres', rows, gatewayIdleRssMb: idle.rssMb, gatewayPeakRssMbBefore: idle.peakRssMb, results, loadAverage: os.loadavg().map((n) => +n.toFixed(2)) })}\n`,
  );
} finally {
  await pg.drop();
}
