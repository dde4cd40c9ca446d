// A plugin queue whose model's id is text or an int (the keyed fixture's `texts` and `numbers` queues): the host claims
// its rows, hands them to the handler where the plugin is on, and where it is switched off puts them off (a minute),
// finding them by the id column's own type. The put-off used to compare the id as a uuid and failed on any other id.
// On both databases the kit runs; and a uuid id (the ticker fixture) put off the same way.
import { startTestGateway, type TestGateway } from '@crm/gateway/testing';
import { createPluginHost } from '@crm/plugin-sdk/host';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPluginTestGateway } from '../src/index.js';
import { keyed } from './fixtures/keyed/src/index.js';
import { tickerPlugin } from './fixtures/ticker/src/index.js';
import { addJobs, handlings } from './queue-support.js';

const SWITCH = `mutation ($plugin: String!, $enabled: Boolean!) { setPluginEnabled(input: { pluginId: $plugin, enabled: $enabled }) { plugin { id enabled } } }`;

describe.each(['pglite', 'postgres'] as const)('a queue over text and int ids (%s)', (database) => {
  let kit: TestGateway;
  const failures: { message: string; fields: Record<string, unknown> }[] = [];
  beforeAll(async () => {
    const host = createPluginHost([keyed]);
    kit = await startTestGateway({
      database,
      plugins: host,
      migrations: host.migrations,
      logger: { info: () => {}, warn: () => {}, error: (message: string, fields: Record<string, unknown> = {}) => void failures.push({ message, fields }) },
    });
  });
  afterAll(async () => {
    await kit?.close();
  });

  it('rows of a workspace where the plugin is off are put off by their own id type; the others are handled', async () => {
    const off = kit.workspace;
    const on = await kit.createWorkspace('Keyed queues on');
    expect((await off.client.query(SWITCH, { plugin: 'keyed', enabled: false })).setPluginEnabled.plugin).toEqual({ id: 'keyed', enabled: false });
    // Due now, added by SQL (no wake): the queues' poll is ten minutes away, so only the drain below claims them.
    await kit.database.sql.query(
      `INSERT INTO "KeyedTextJob" (id, "workspaceId", "dueAt") VALUES ('off-a', $1::uuid, now()), ('off-b', $1::uuid, now()), ('on-a', $2::uuid, now())`,
      [off.workspaceId, on.workspaceId],
    );
    await kit.database.sql.query(`INSERT INTO "KeyedIntJob" (id, "workspaceId", "dueAt") VALUES (1, $1::uuid, now()), (2, $1::uuid, now()), (3, $2::uuid, now())`, [
      off.workspaceId,
      on.workspaceId,
    ]);

    expect(await kit.gateway.plugins!.drainQueues()).toBe(6);
    expect(failures).toEqual([]);

    // Each row claimed once. Where the plugin is on: done. Where it is off: put off a minute, not left to the claim's
    // hour-long lease (which is where a failed put-off leaves them).
    const rows = await kit.database.sql.query<{ id: string; claims: number; done: boolean; putOff: boolean }>(
      `SELECT id, claims, "dueAt" IS NULL AS done, "dueAt" < now() + interval '30 minutes' AS "putOff"
       FROM (SELECT id, claims, "dueAt" FROM "KeyedTextJob" UNION ALL SELECT id::text, claims, "dueAt" FROM "KeyedIntJob") jobs ORDER BY id`,
    );
    // The int rows' queue is `whileSwitchedOff`: handled there too.
    expect(rows).toEqual([
      { id: '1', claims: 1, done: true, putOff: null },
      { id: '2', claims: 1, done: true, putOff: null },
      { id: '3', claims: 1, done: true, putOff: null },
      { id: 'off-a', claims: 1, done: false, putOff: true },
      { id: 'off-b', claims: 1, done: false, putOff: true },
      { id: 'on-a', claims: 1, done: true, putOff: null },
    ]);
  });
});

describe('a whileSwitchedOff queue where its plugin is switched off (the keyed fixture’s `numbers`)', () => {
  it('is handled with its own rows only: http, emit, commands, actions, objects and actingAs refuse', async () => {
    const host = createPluginHost([keyed]);
    const kit = await startTestGateway({ plugins: host, migrations: host.migrations });
    try {
      const on = await kit.createWorkspace('Keyed on');
      await kit.workspace.client.query(SWITCH, { plugin: 'keyed', enabled: false });
      await kit.database.sql.query(`INSERT INTO "KeyedIntJob" (id, "workspaceId", "dueAt") VALUES (100, $1::uuid, now()), (101, $2::uuid, now())`, [
        kit.workspace.workspaceId,
        on.workspaceId,
      ]);
      await kit.database.sql.query(`INSERT INTO "KeyedTextJob" (id, "workspaceId", "dueAt") VALUES ('off-probe', $1::uuid, now())`, [kit.workspace.workspaceId]);
      expect(await kit.gateway.plugins!.drainQueues()).toBe(3);
      const labels = await kit.database.sql.query<{ workspaceId: string; id: string; title: string }>(
        `SELECT "workspaceId"::text AS "workspaceId", id, title FROM "KeyedLabel" WHERE id LIKE 'probe-%'`,
      );
      const uses = (workspaceId: string) => JSON.parse(labels.find((label) => label.workspaceId === workspaceId)!.title) as Record<string, string>;
      const [off, onUses] = [uses(kit.workspace.workspaceId), uses(on.workspaceId)];
      for (const what of ['http', 'emit', 'commands', 'actions', 'objects', 'actingAs']) {
        expect(off[what]).toMatch(new RegExp(`^PLUGIN_SWITCHED_OFF: Plugin keyed is switched off in this workspace: .* not use ${what}$`));
        // Where it is on, the same handler is let use them (http may fail on its own: nothing listens on port 9).
        expect(onUses[what]).not.toMatch(/PLUGIN_SWITCHED_OFF/);
      }
      expect(onUses.emit).toBe('used');
      // Both probe rows done; the unflagged queue's row where the plugin is off is put off, not handled.
      const jobs = await kit.database.sql.query<{ id: string; done: boolean }>(
        `SELECT id::text AS id, "dueAt" IS NULL AS done FROM "KeyedIntJob" UNION ALL SELECT id, "dueAt" IS NULL FROM "KeyedTextJob" ORDER BY id`,
      );
      expect(jobs).toEqual([
        { id: '100', done: true },
        { id: '101', done: true },
        { id: 'off-probe', done: false },
      ]);
    } finally {
      await kit.close();
    }
  });
});

describe('a queue over uuid ids (the ticker fixture)', () => {
  it('where the plugin is switched off, claimed rows are put off, not handled', async () => {
    const kit = await startPluginTestGateway({ plugins: [tickerPlugin({ batch: 4 }).plugin] });
    try {
      await kit.workspace.client.query(SWITCH, { plugin: 'ticker', enabled: false });
      const jobs = await addJobs(kit, 3);
      expect(await kit.gateway.plugins!.drainQueues()).toBe(3);
      expect((await handlings(kit)).size).toBe(0);
      // Put off a minute, not left to the claim's ten-minute lease.
      const rows = await kit.database.sql.query<{ id: string; claims: number; putOff: boolean }>(
        `SELECT id::text AS id, claims, "dueAt" < now() + interval '5 minutes' AS "putOff" FROM "TickerJob" ORDER BY id`,
      );
      expect(rows).toEqual([...jobs].sort().map((id) => ({ id, claims: 1, putOff: true })));
    } finally {
      await kit.close();
    }
  });
});
