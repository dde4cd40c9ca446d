// The host's bound on causal chains: an event whose `chainDepth` is past it is not delivered to plugin subscribers, so
// plugins that react to each other's events (directly, through hooks, queue items that keep their chain or the core's
// commands) stop there instead of looping for ever. A queue item past the bound still runs: its events are cut here. Plugins' own limits (the workflows plugin's `maxDepth`) cut earlier; this one holds
// for every plugin, whatever it does. Deciding costs nothing: the depth is on the event. A cut is recorded (a SKIPPED
// delivery, one statement per cut group, only then) and told (the gateway's log). A FAILED delivery whose event is past
// a bound lowered since it failed turns SKIPPED when a retry sweep meets it: told once, then never read again.
import { newRowId, type RecordedEvent } from '@crm/core';
import { type PrismaClient, queryRawIn, scopeToWorkspace, workspaceFilter } from '@crm/db';
import type { Plugin, SubscriberEntry } from '../plugin.js';

/** The chain depth past which the host delivers no event to plugin subscribers. */
export const DEFAULT_MAX_CHAIN_DEPTH = 32;

/** The variable that sets it. */
export const MAX_CHAIN_DEPTH_VARIABLE = 'PLUGIN_MAX_CHAIN_DEPTH';

/** `PLUGIN_MAX_CHAIN_DEPTH`: a whole number from 1 to 1000. @default 32 */
export function maxChainDepthFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[MAX_CHAIN_DEPTH_VARIABLE]?.trim();
  if (!raw) return DEFAULT_MAX_CHAIN_DEPTH;
  const depth = Number(raw);
  if (!/^\d+$/.test(raw) || depth < 1 || depth > 1000) throw new Error(`${MAX_CHAIN_DEPTH_VARIABLE} must be a whole number from 1 to 1000, not "${raw}"`);
  return depth;
}

/** An event the host did not deliver to a subscriber, its chain being too deep. */
export interface ChainCut {
  plugin: string;
  subscriber: string;
  eventType: string;
  eventId: string;
  workspaceId: string;
  chainDepth: number;
  maxChainDepth: number;
}

export interface ChainBound {
  /** The events within the bound; those past it are recorded SKIPPED for the subscriber and told (`onCut`). */
  within(plugin: Plugin, subscriber: SubscriberEntry, events: readonly RecordedEvent[]): RecordedEvent[];
  /**
   * A retry sweep's FAILED deliveries (their events) about to be retried: answers those within the bound. Those past it
   * (the bound was lowered since they failed) turn SKIPPED, with the reason, one statement per workspace, and each cut
   * is told — so no later sweep reads them again.
   */
  retriable<R extends Retry>(retries: readonly R[]): Promise<R[]>;
}

/** A FAILED delivery about to be retried: its subscriber and event. */
export interface Retry {
  plugin: Plugin;
  subscriber: SubscriberEntry;
  event: RecordedEvent;
}

/** `track`: the host's in-flight work (its `settled` waits for the marks too). */
export function chainBound(options: { prisma: PrismaClient; max?: number; onCut?: (cut: ChainCut) => void; track: (work: Promise<void>) => void }): ChainBound {
  const max = options.max ?? DEFAULT_MAX_CHAIN_DEPTH;
  const tell =
    options.onCut ??
    ((cut: ChainCut) =>
      console.warn(`plugin host: ${cut.eventType} ${cut.eventId} (chain depth ${cut.chainDepth}) not delivered to ${cut.plugin}/${cut.subscriber}: past ${MAX_CHAIN_DEPTH_VARIABLE} ${max}`));

  const past = (event: RecordedEvent) => (event.chainDepth ?? 0) > max;
  const reason = (event: RecordedEvent) =>
    `Not delivered: its causal chain is ${event.chainDepth ?? 0} deep, past the host's bound of ${max} (${MAX_CHAIN_DEPTH_VARIABLE})`;
  const tellCut = (plugin: Plugin, subscriber: SubscriberEntry, event: RecordedEvent) =>
    tell({ plugin: plugin.id, subscriber: subscriber.name, eventType: event.type, eventId: event.id, workspaceId: event.workspaceId, chainDepth: event.chainDepth ?? 0, maxChainDepth: max });

  /** The marks, per workspace, in one statement each; an event marked already (relayed again, caught up) is left. */
  async function record(plugin: Plugin, subscriber: SubscriberEntry, cut: readonly RecordedEvent[]) {
    const byWorkspace = new Map<string, RecordedEvent[]>();
    for (const event of cut) byWorkspace.set(event.workspaceId, [...(byWorkspace.get(event.workspaceId) ?? []), event]);
    for (const [workspaceId, events] of byWorkspace) {
      await scopeToWorkspace(options.prisma, workspaceId).pluginDelivery.createMany({
        data: events.map((event) => ({
          id: newRowId(),
          workspaceId,
          pluginId: plugin.id,
          subscriber: subscriber.name,
          eventId: event.id,
          eventType: event.type,
          status: 'SKIPPED' as const,
          attempts: 0,
          lastError: reason(event),
        })),
        skipDuplicates: true,
      });
    }
  }

  return {
    within(plugin, subscriber, events) {
      const cut = events.filter(past);
      if (!cut.length) return events as RecordedEvent[];
      for (const event of cut) tellCut(plugin, subscriber, event);
      options.track(record(plugin, subscriber, cut).catch((error: unknown) => console.error(`plugin host: could not record skipped deliveries of ${plugin.id}/${subscriber.name}`, error)));
      return events.filter((event) => !past(event));
    },
    async retriable(retries) {
      const cut = retries.filter(({ event }) => past(event));
      if (!cut.length) return [...retries];
      const byWorkspace = new Map<string, Retry[]>();
      for (const retry of cut) byWorkspace.set(retry.event.workspaceId, [...(byWorkspace.get(retry.event.workspaceId) ?? []), retry]);
      for (const [workspaceId, rows] of byWorkspace) {
        // Each row its own reason (its depth): one statement for them all. Conditional: a concurrent redelivery that made
        // one DONE first keeps it, and its cut is not told. Awaited, so the sweep's end sees them SKIPPED.
        const values = rows.map(({ plugin, subscriber, event }) => ({ pluginId: plugin.id, subscriber: subscriber.name, eventId: event.id, lastError: reason(event) }));
        const marked = await queryRawIn<{ pluginId: string; subscriber: string; eventId: string }>(
          options.prisma,
          `UPDATE "PluginDelivery" AS d SET "status" = 'SKIPPED', "lastError" = v."lastError", "updatedAt" = now()
           FROM jsonb_to_recordset($1::jsonb) AS v("pluginId" text, "subscriber" text, "eventId" uuid, "lastError" text)
           WHERE ${workspaceFilter('d."workspaceId"', '$2::uuid')} AND d."pluginId" = v."pluginId" AND d."subscriber" = v."subscriber" AND d."eventId" = v."eventId" AND d."status" = 'FAILED'
           RETURNING d."pluginId", d."subscriber", d."eventId"`,
          JSON.stringify(values),
          workspaceId,
        );
        const told = new Set(marked.map((row) => `${row.pluginId}/${row.subscriber}/${row.eventId.toLowerCase()}`));
        for (const { plugin, subscriber, event } of rows) if (told.has(`${plugin.id}/${subscriber.name}/${event.id.toLowerCase()}`)) tellCut(plugin, subscriber, event);
      }
      return retries.filter(({ event }) => !past(event));
    },
  };
}
