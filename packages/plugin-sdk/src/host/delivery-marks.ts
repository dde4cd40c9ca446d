// The marks a delivery writes in the subscriber's own transaction: one row per (plugin, subscriber, event), DONE once
// delivered, so that a duplicate delivery is a no-op and of two racing deliveries one rolls back.
import type { RecordedEvent } from '@crm/core';
import type { ScopedTransaction } from '@crm/db';
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
 * Marks the events processed, in one statement for those never seen; returns those to deliver (not DONE already,
 * the plugin on and on before they happened). A FAILED one turns DONE only if no concurrent delivery did it first.
 */
export async function claimAll(tx: ScopedTransaction, plugin: Plugin, subscriber: SubscriberEntry, events: readonly RecordedEvent[], state: PluginState): Promise<RecordedEvent[]> {
  if (!state.enabled) return [];
  const key = { pluginId: plugin.id, subscriber: subscriber.name };
  const existing = new Map(
    (await tx.pluginDelivery.findMany({ where: { ...key, eventId: { in: events.map((e) => e.id) } }, select: { id: true, eventId: true, status: true, attempts: true } })).map(
      (row) => [row.eventId, row],
    ),
  );
  const todo: RecordedEvent[] = [];
  const fresh: RecordedEvent[] = [];
  for (const event of events) {
    const row = existing.get(event.id);
    if (row?.status === 'DONE') continue;
    if (row) {
      const { count } = await tx.pluginDelivery.updateMany({ where: { id: row.id, status: 'FAILED' }, data: { status: 'DONE', attempts: row.attempts + 1, lastError: null } });
      if (count === 1) todo.push(event);
      continue;
    }
    if (state.changedAt && event.occurredAt < state.changedAt) continue;
    if (fresh.some((e) => e.id === event.id)) continue; // the same event twice in one batch (relayed and committed here)
    fresh.push(event);
    todo.push(event);
  }
  // A racing delivery's insert waits on the unique index, then fails: this batch is redone event by event.
  if (fresh.length) {
    await tx.pluginDelivery.createMany({ data: fresh.map((event) => ({ ...key, eventId: event.id, workspaceId: event.workspaceId, eventType: event.type, status: 'DONE', attempts: 1 })) });
  }
  return todo;
}
