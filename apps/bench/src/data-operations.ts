// The data-operations benchmark of docs/performance.md. Usage (from the repository root):
//   npm run bench:data -- [--customers 100000] [--requests 40]
// Fills a throwaway PostgreSQL database (created and dropped by the test gateway) with `customers` synthetic customers
// in companies of about 8 (varied names, emails and phones; 1 % of them entered twice with a variant of their email,
// phone or name), then times `duplicates(object: CUSTOMER, first: 20)` over HTTP, one request at a time: the first
// read (which re-scores every customer the insert queued) on its own, then `requests` more. Prints one JSON line.
import { parseArgs } from 'node:util';
import os from 'node:os';
import { phoneE164 } from '@crm/core';
import { startTestGateway } from '@crm/gateway/testing';

const { values: args } = parseArgs({ options: { customers: { type: 'string', default: '100000' }, requests: { type: 'string', default: '40' } } });
const customers = Number(args.customers);
const requests = Number(args.requests);
const log = (line: string) => process.stderr.write(`[bench:data] ${line}\n`);
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

// Deterministic pseudo-random numbers (mulberry32): the same data on every run.
let state = 11;
const random = () => {
  state = (state + 0x6d2b79f5) | 0;
  let t = Math.imul(state ^ (state >>> 15), 1 | state);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
const syllables = ['an', 'bel', 'cor', 'da', 'el', 'fin', 'gar', 'hal', 'is', 'jo', 'ka', 'lin', 'mar', 'no', 'or', 'pe', 'quin', 'ros', 'sa', 'tor', 'ul', 'va', 'wen', 'xa', 'yor', 'zel'];
const word = (parts: number) => {
  const text = Array.from({ length: parts }, () => pick(syllables)).join('');
  return text[0]!.toUpperCase() + text.slice(1);
};

const t = await startTestGateway({ database: 'postgres', rateLimit: { perMinute: 0 }, clvRefresh: false, monthEndSnapshots: false });
try {
  const { prisma } = t.database;
  const workspaceId = t.workspace.workspaceId;
  let started = performance.now();
  const companies = Array.from({ length: Math.ceil(customers / 8) }, (_, i) => ({ id: crypto.randomUUID(), workspaceId, name: `${word(3)} ${i}`, domain: `c${i}.example` }));
  for (let i = 0; i < companies.length; i += 5000) await prisma.company.createMany({ data: companies.slice(i, i + 5000) });
  const rows: { workspaceId: string; name: string; email: string; phone: string; phoneE164: string | null; companyId: string }[] = [];
  for (let i = 0; rows.length < customers; i++) {
    const name = `${word(2)} ${word(3)}`;
    const phone = `+1 ${200 + Math.floor(random() * 700)} 555 ${String(Math.floor(random() * 10_000)).padStart(4, '0')}`;
    const companyId = companies[Math.floor(i / 8) % companies.length]!.id;
    const email = `${name.toLowerCase().replace(' ', '.')}.${i}@mail.example`;
    rows.push({ workspaceId, name, email, phone, phoneE164: phoneE164(phone), companyId });
    if (random() < 0.01 && rows.length < customers) {
      // The same person entered again: a tagged email, the phone written nationally, or the name with a typo.
      const variant = Math.floor(random() * 3);
      rows.push({
        workspaceId,
        name: variant === 2 ? `${name.slice(0, -1)}e` : name,
        email: variant === 0 ? email.replace('@', '+crm@') : `other.${i}@mail.example`,
        phone: variant === 1 ? `001${phone.replace(/\D/g, '').slice(1)}` : `+44 20 7946 ${String(i % 10_000).padStart(4, '0')}`,
        phoneE164: phoneE164(variant === 1 ? `001${phone.replace(/\D/g, '').slice(1)}` : `+44 20 7946 ${String(i % 10_000).padStart(4, '0')}`),
        companyId,
      });
    }
  }
  for (let i = 0; i < rows.length; i += 5000) await prisma.customer.createMany({ data: rows.slice(i, i + 5000) });
  await prisma.$executeRawUnsafe('ANALYZE');
  log(`seeded ${rows.length} customers in ${companies.length} companies in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const query = `{ duplicates(object: CUSTOMER, first: 20) { score reasons records { id } } }`;
  // The first read after the bulk insert re-scores every queued customer (all of them here): timed on its own.
  started = performance.now();
  const first = await t.workspace.client.query(query);
  const firstReadMs = performance.now() - started;
  const timings: number[] = [];
  for (let i = 0; i < requests; i++) {
    started = performance.now();
    await t.workspace.client.query(query);
    timings.push(performance.now() - started);
  }
  const sorted = [...timings].sort((a, b) => a - b);
  const result = {
    bench: 'duplicates',
    customers: rows.length,
    requests,
    p50Ms: +percentile(sorted, 50).toFixed(1),
    p95Ms: +percentile(sorted, 95).toFixed(1),
    maxMs: +sorted.at(-1)!.toFixed(1),
    firstReadAfterInsertMs: +firstReadMs.toFixed(1),
    pairsReturned: first.duplicates.length,
    topReasons: first.duplicates[0]?.reasons ?? null,
    loadAverage: os.loadavg().map((n) => +n.toFixed(2)),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await t.close();
}
