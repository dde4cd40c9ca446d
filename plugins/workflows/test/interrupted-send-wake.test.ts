// An email step found mid-send by a later claim (its gateway stopped while sending; here: its lease made to end) is not
// sent again — it fails its run (run-step.ts). The run leaves RUNNING there: the place it frees wakes a run held back by
// the concurrency limit at once (before the fix it was not counted, and the held run waited the 10 s fallback).
import { type PluginTestGateway, startPluginTestGateway, type TestClient } from '@crm/plugin-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MailTransport } from '../src/mail/transport.js';
import { workflowsPlugin } from '../src/index.js';
import { CUSTOMER, eventually, publishedWorkflow, rowIdOf, RUN, until } from './support.js';

const SETTINGS = `mutation ($settings: JSON!) { updatePluginSettings(input: { pluginId: "workflows", settings: $settings }) { plugin { settings } } }`;

/** A mail server that keeps every message's send open until the test is over (a send under way). */
const sending: (() => void)[] = [];
const slowMail: MailTransport = {
  send: () => new Promise((resolve) => sending.push(() => resolve({ messageId: 'late@workflows' }))),
};

let kit: PluginTestGateway;
let admin: TestClient;

beforeAll(async () => {
  kit = await startPluginTestGateway({ plugins: [workflowsPlugin({ mail: slowMail, pollMs: 50, leaseMs: 60_000 })] });
  admin = kit.workspace.client;
});
afterAll(async () => {
  for (const release of sending.splice(0)) release();
  await kit?.close();
});

const customer = async (name: string) => (await admin.query(CUSTOMER, { name })).createCustomer.customer.id as string;
const sql = <T>(text: string, ...values: unknown[]) => kit.database.prisma.$queryRawUnsafe<T[]>(text, ...values);

describe('an interrupted email step failing its run', () => {
  it('wakes the run held back behind it', async () => {
    await admin.query(SETTINGS, { settings: { maxConcurrentRuns: 1 } });
    const id = await publishedWorkflow(admin, 'Mails once', {
      trigger: { kind: 'manual', object: 'Customer' },
      steps: [{ id: 'mail', kind: 'sendEmail', to: 'once@example.com', subject: 'Once', text: 'Only once' }],
    });
    const first = rowIdOf((await admin.query(RUN, { id, recordId: await customer('Ivy Interrupted') })).runWorkflow.run.id as string);
    await until(async () => (sending.length === 1 ? true : undefined));
    const second = rowIdOf((await admin.query(RUN, { id, recordId: await customer('Hugo Held') })).runWorkflow.run.id as string);
    const [wasHeld] = await until(async () => {
      const rows = await sql<{ dueAt: Date }>(
        `SELECT s."dueAt" FROM "WorkflowStepRun" s JOIN "WorkflowRun" r ON r.id = s."runId" WHERE r.id = $1::uuid AND r."heldBack" = 'CONCURRENCY'`,
        second,
      );
      return rows.length ? rows : undefined;
    });

    // The first run's lease ends while its email is being sent: the next claim finds the step RUNNING.
    await sql(`UPDATE "WorkflowStepRun" SET "dueAt" = now() WHERE "runId" = $1::uuid`, first);
    await eventually(kit, async () => expect((await sql<{ status: string }>(`SELECT status::text FROM "WorkflowRun" WHERE id = $1::uuid`, first))[0]!.status).toBe('FAILED'));
    // The held run's email is under way well before its fallback due time.
    const started = await until(async () => {
      const rows = await sql<{ startedAt: Date | null }>(`SELECT "startedAt" FROM "WorkflowStepRun" WHERE "runId" = $1::uuid`, second);
      return rows[0]?.startedAt ?? undefined;
    }, 30_000);
    expect(started.getTime()).toBeLessThan(new Date(wasHeld!.dueAt).getTime());
  }, 60_000);
});
