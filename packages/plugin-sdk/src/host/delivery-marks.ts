// The marks a delivery writes in the subscriber's own transaction: one row per (plugin, subscriber, event), DONE once
// delivered, so that a duplicate delivery is a no-op and of two racing deliveries one rolls back.
import { newRowId, type RecordedEvent } from '@crm/core';
import { queryRawIn, type ScopedTransaction } from '@crm/db';
import type { Plugin, SubscriberEntry } from '../plugin.js';
import type { PluginState } from '../plugin-state.js';

/** The plugin is switched off in the workspace, or was when the event happened: not delivered, nothing recorded. */
export class NotForThisPlugin extends Error {}

/**
 * Marks the event processed by this subscriber in the subscriber's transaction; false when it already was. Throws
 * NotForThisPlugin when the plugin is off in the workspace, or a never-tried event predates its switching on.
 */
export async function claim(tx: ScopedTransaction, plugin: Plugin, subscriber: SubscriberEntry, event: RecordedEvent, attempt: number, state: PluginState) {
  const key = { pluginId: plugin.id, subscriber: subscriber.name, eventId: event.id };
  const existing = await tx.pluginDelivery.findUnique({ where: { pluginId_subscriber_eventId: key } });
  if (existing?.status === 'DONE') return false;
  if (!state.enabled) throw new NotForThisPlugin();
  if (existing) {
    // Conditional: of two racing deliveries only one turns FAILED into DONE.
    const { count } = await tx.pluginDelivery.updateMany({
      where: { id: existing.id, status: 'FAILED' },
      data: { status: 'DONE', attempts: existing.attempts + attempt, lastError: null },
    });
    return count === 1;
  }
  if (state.changedAt && event.occurredAt < state.changedAt) throw new NotForThisPlugin();
  // A racing delivery's insert waits on the unique index, then fails: that one rolls back as a duplicate.
  await tx.pluginDelivery.create({ data: { ...key, workspaceId: event.workspaceId, eventType: event.type, status: 'DONE', attempts: attempt } });
  return true;
}

/**
 * Marks the events processed and returns those to deliver (not DONE already, the plugin on and on before they
 * happened). Events never seen cost ONE statement: their DONE marks are inserted and those that went in are this
 * batch's (an insert racing another delivery's waits on the unique index and then inserts nothing, so the event is
 * the other's). Only events that already had a mark are read: a FAILED one turns DONE if no concurrent delivery did
 * it first.
 */
export async function claimAll(tx: ScopedTransaction, plugin: Plugin, subscriber: SubscriberEntry, events: readonly RecordedEvent[], state: PluginState): Promise<RecordedEvent[]> {
  if (!state.enabled) return [];
  const key = { pluginId: plugin.id, subscriber: subscriber.name };
  // The same event twice in one batch (relayed and committed here) is handled once.
  const distinct = [...new Map(events.map((event) => [event.id, event])).values()];
  const since = state.changedAt;
  const eligible = distinct.filter((event) => !(since && event.occurredAt < since));
  const now = new Date().toISOString();
  const marked = new Set(
    eligible.length
      ? (
          await queryRawIn<{ eventId: string }>(
            tx,
            `INSERT INTO "PluginDelivery" ("id", "workspaceId", "pluginId", "subscriber", "eventId", "eventType", "status", "attempts", "createdAt", "updatedAt")
             SELECT "id", "workspaceId", "pluginId", "subscriber", "eventId", "eventType", "status", "attempts", "createdAt", "updatedAt"
               FROM jsonb_populate_recordset(NULL::"PluginDelivery", $1::jsonb)
             ON CONFLICT ("pluginId", "subscriber", "eventId") DO NOTHING
             RETURNING "eventId"::text AS "eventId"`,
            JSON.stringify(
              eligible.map((event) => ({
                id: newRowId(),
                workspaceId: event.workspaceId,
                ...key,
                eventId: event.id,
                eventType: event.type,
                status: 'DONE',
                attempts: 1,
                createdAt: now,
                updatedAt: now,
              })),
            ),
          )
        ).map((row) => row.eventId)
      : [],
  );
  const others = distinct.filter((event) => !marked.has(event.id));
  const existing = new Map(
    others.length
      ? (await tx.pluginDelivery.findMany({ where: { ...key, eventId: { in: others.map((e) => e.id) } }, select: { id: true, eventId: true, status: true, attempts: true } })).map(
          (row) => [row.eventId, row],
        )
      : [],
  );
  const todo: RecordedEvent[] = [];
  for (const event of distinct) {
    if (marked.has(event.id)) {
      todo.push(event);
      continue;
    }
    const row = existing.get(event.id);
    if (row?.status !== 'FAILED') continue; // DONE already, or before the plugin was switched on
    const { count } = await tx.pluginDelivery.updateMany({ where: { id: row.id, status: 'FAILED' }, data: { status: 'DONE', attempts: row.attempts + 1, lastError: null } });
    if (count === 1) todo.push(event);
  }
  return todo;
}
