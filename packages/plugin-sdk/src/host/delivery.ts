// Delivers committed events to plugin subscribers: asynchronously (never inside the command that caused them),
// in a transaction of the subscriber's own together with a "processed" mark (a duplicate delivery is a no-op),
// retried with exponential backoff, and recorded as FAILED when it keeps throwing. Events of one workspace that
// arrive while the subscriber is busy there wait in its lane and are then delivered together, in one transaction
// (one read of the plugin's switch, one statement for all their marks): under load a subscriber costs a few
// statements per batch instead of per event, and a burst of events holds one pooled connection per lane instead of
// one per event. Should a batch fail, each of its events is delivered again alone, with the retry policy.
import { type CommandScope, type CrmEventType, type RecordedEvent, toRecordedEvent } from '@crm/core';
import { scopeToWorkspace } from '@crm/db';
import type { DeliveredEvent } from '../events.js';
import type { OutboundHttp } from '../outbound-http.js';
import type { HostServices, Plugin, SubscriberEntry } from '../plugin.js';
import { pluginLock } from '../plugin-lock.js';
import { chainBound } from './chain-bound.js';
import { claim, claimAll, NotForThisPlugin } from './delivery-marks.js';
import { chainedContext, inChainOf } from './handling-chain.js';
import { PluginStateCache } from './plugin-state-cache.js';
import { hostSignals } from './host-signals.js';
import { type HeardChange, SubscriberInterests } from './subscriber-interest.js';
import { startJobs } from './jobs.js';
import { type DeliveryOptions, pluginSession, type PluginRuntime } from './plugin-runtime.js';
import { startQueues } from './queues.js';
import { RecentDeliveries } from './recent-deliveries.js';
import { pluginRoutes } from './routes.js';

/** Where the process offers no outgoing HTTP (the CLI): every request fails, and says why. */
const NO_HTTP = 'Outgoing HTTP is not available in this process';
const noHttp: OutboundHttp = {
  post: async () => ({ status: null, error: NO_HTTP, durationMs: 0 }),
  request: async () => ({ status: null, error: NO_HTTP, durationMs: 0, failure: 'connection', headers: {}, body: '', truncated: false }),
};

class AlreadyProcessed extends Error {}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());

/** Events one transaction delivers at most. */
const MAX_BATCH = 100;
/** Catch-up's window's start: `$1` ms before the database's time (an event's `occurredAt` is the database's). */
const CATCH_UP_SINCE = `SELECT statement_timestamp() - $1::bigint * interval '1 millisecond' AS since`;

/** A subscriber's events in one workspace: delivered one batch at a time, in the order they arrived. */
interface Lane {
  plugin: Plugin;
  subscriber: SubscriberEntry;
  workspaceId: string;
  waiting: RecordedEvent[];
}

export function startDelivery(plugins: readonly Plugin[], options: DeliveryOptions & { services: HostServices }): PluginRuntime {
  const byEvent = new Map<string, { plugin: Plugin; subscriber: SubscriberEntry }[]>();
  /** Subscribers of the type, then those of every event (`'*'`). */
  const subscribersOf = (type: string) => [...(byEvent.get(type) ?? []), ...(type === '*' ? [] : (byEvent.get('*') ?? []))];
  for (const plugin of plugins) {
    for (const subscriber of plugin.subscribers) {
      const list = byEvent.get(subscriber.event) ?? [];
      list.push({ plugin, subscriber });
      byEvent.set(subscriber.event, list);
    }
  }
  const inFlight = new Set<Promise<void>>();
  let stopped = false;
  const states = new PluginStateCache(options.runner);
  const deliveredOf = (event: RecordedEvent): DeliveredEvent => ({
    id: event.id,
    type: event.type as CrmEventType,
    workspaceId: event.workspaceId,
    subjectType: event.subjectType,
    subjectId: event.subjectId,
    actor: event.actor,
    causedBy: event.causedBy ?? null,
    chainDepth: event.chainDepth ?? 0,
    occurredAt: event.occurredAt,
    payload: event.payload as DeliveredEvent['payload'],
  });
  const jobs = startJobs(plugins, {
    runner: options.runner,
    prisma: options.prisma,
    ...(options.onJobError ? { onError: options.onJobError } : {}),
    ...(options.onJobSkipped ? { onSkipped: options.onJobSkipped } : {}),
    timers: options.jobTimers ?? true,
    services: options.services,
  });
  const queues = startQueues(plugins, {
    runner: options.runner,
    prisma: options.prisma,
    services: options.services,
    states,
    http: options.http ?? noHttp,
    timers: options.queueWorkers ?? true,
    ...(options.onQueueError ? { onError: options.onQueueError } : {}),
  });

  // New queue work: this instance's workers look now, and the other instances' are told.
  const wakeQueues = (pluginId: string) => {
    queues.wake(pluginId);
    signals.wake(pluginId);
  };
  const signals = hostSignals(options.notifications, {
    wake: (pluginId) => queues.wake(pluginId),
    notice: (changes) => interests.notice(changes),
  });

  const routes = pluginRoutes(plugins, {
    runner: options.runner,
    prisma: options.prisma,
    services: options.services,
    states,
    wake: (pluginId) => wakeQueues(pluginId),
    ...(options.onRouteError ? { onError: options.onRouteError } : {}),
    ...(options.routeFailures ? { failures: options.routeFailures } : {}),
    ...(options.clientAddress ? { clientAddress: options.clientAddress } : {}),
  });

  /** A subscriber's context as it handles `event` in `scope`: in the event's chain (handling-chain.ts), with the host's services. */
  const handlingContext = (scope: CommandScope, event: DeliveredEvent, settings: unknown, of: { attempt: number; batch: DeliveredEvent[]; lock: ReturnType<typeof pluginLock> }) => ({
    tx: scope.tx,
    ...chainedContext(scope, event),
    inChainOf: inChainOf(scope),
    session: scope.session,
    settings,
    ...of,
    services: options.services,
  });

  async function isDone(plugin: Plugin, subscriber: SubscriberEntry, event: RecordedEvent): Promise<boolean> {
    const row = await scopeToWorkspace(options.prisma, event.workspaceId).pluginDelivery.findUnique({
      where: { pluginId_subscriber_eventId: { pluginId: plugin.id, subscriber: subscriber.name, eventId: event.id } },
      select: { status: true },
    });
    return row?.status === 'DONE';
  }

  /**
   * One event alone, with the plugin's retry policy. `after` is a first try already made (a lone event's, in its
   * lane) and its error: the next try waits the backoff first.
   */
  async function deliver(plugin: Plugin, subscriber: SubscriberEntry, event: RecordedEvent, after?: { attempt: number; error: unknown }): Promise<void> {
    const attempts = options.policy?.attempts ?? plugin.delivery.attempts;
    const backoffMs = options.policy?.backoffMs ?? plugin.delivery.backoffMs;
    const caller = options.runner.callerFor(pluginSession(event.workspaceId, plugin.id));
    const delivered = deliveredOf(event);
    let lastError: unknown = after?.error;
    for (let attempt = (after?.attempt ?? 0) + 1; attempt <= attempts; attempt++) {
      if (attempt > 1 && !stopped) await sleep(backoffMs * 2 ** (attempt - 2));
      if (stopped && attempt > 1) break;
      try {
        await caller.run(async (scope) => {
          const state = await states.of(scope.tx, event.workspaceId, plugin.id);
          if (!(await claim(scope.tx, plugin, subscriber, event, attempt, state))) throw new AlreadyProcessed();
          await subscriber.handle(delivered, handlingContext(scope, delivered, state.settings, { attempt, batch: [delivered], lock: pluginLock(scope.tx, plugin.id, event.workspaceId) }));
        });
        // What the subscriber queued is looked at now, not at the next poll.
        if (plugin.queues.length) wakeQueues(plugin.id);
        return;
      } catch (error) {
        if (error instanceof AlreadyProcessed || error instanceof NotForThisPlugin) return;
        // A concurrent delivery of the same event won the unique mark: nothing left to do.
        if (await isDone(plugin, subscriber, event).catch(() => false)) return;
        lastError = error;
      }
    }
    await recordFailure(plugin, subscriber, event, attempts, lastError);
    options.onFailure?.({ plugin: plugin.id, subscriber: subscriber.name, eventType: event.type, eventId: event.id, workspaceId: event.workspaceId, error: lastError });
  }

  async function recordFailure(plugin: Plugin, subscriber: SubscriberEntry, event: RecordedEvent, attempts: number, error: unknown) {
    const db = scopeToWorkspace(options.prisma, event.workspaceId);
    const lastError = (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, 2000);
    const key = { pluginId: plugin.id, subscriber: subscriber.name, eventId: event.id };
    const { count } = await db.pluginDelivery.updateMany({
      where: { ...key, status: 'FAILED' },
      data: { attempts: { increment: attempts }, lastError },
    });
    if (count) return;
    await db.pluginDelivery
      .create({ data: { ...key, workspaceId: event.workspaceId, eventType: event.type, status: 'FAILED', attempts, lastError } })
      .catch(() => {}); // a concurrent delivery finished it meanwhile: DONE wins
  }

  const track = (work: Promise<void>) => {
    const tracked = work.catch(() => {}).finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };

  // Events past the host's chain bound reach no subscriber (recorded SKIPPED, logged): chain-bound.ts.
  const bound = chainBound({ prisma: options.prisma, max: options.maxChainDepth, track, ...(options.onChainCut ? { onCut: options.onChainCut } : {}) });

  const lanes = new Map<string, Lane>();
  const interests = new SubscriberInterests(plugins, {
    db: options.prisma,
    objects: options.services.objects,
    deliver: (plugin, subscriber, events) => {
      for (const event of events) enqueue(plugin, subscriber, event);
    },
    track,
  });

  /**
   * Hands the events to the subscriber's lanes: all of them, or those its interest wants (enqueued together, in order),
   * within the host's chain bound — asked only of those it wants, so an event it never wanted leaves no SKIPPED mark.
   */
  function handOn(plugin: Plugin, subscriber: SubscriberEntry, events: readonly RecordedEvent[]) {
    if (!interests.declares(subscriber)) {
      for (const event of bound.within(plugin, subscriber, events)) enqueue(plugin, subscriber, event);
      return;
    }
    track(
      interests.wanted(subscriber, events).then((wanted) => {
        if (!stopped) for (const event of bound.within(plugin, subscriber, wanted)) enqueue(plugin, subscriber, event);
      }),
    );
  }

  const recent = new Map<SubscriberEntry, RecentDeliveries>();

  /**
   * Queues the event in its subscriber's lane of the workspace; the lane's runner delivers it with those waiting. An
   * event handed to the subscriber lately (relayed again) is not: its delivery is under way or done.
   */
  function enqueue(plugin: Plugin, subscriber: SubscriberEntry, event: RecordedEvent) {
    let handed = recent.get(subscriber);
    if (!handed) recent.set(subscriber, (handed = new RecentDeliveries()));
    if (handed.seen(event.id)) return;
    const key = `${plugin.id}\u0000${subscriber.name}\u0000${event.workspaceId}`;
    const lane = lanes.get(key);
    if (lane) {
      lane.waiting.push(event);
      return;
    }
    const started: Lane = { plugin, subscriber, workspaceId: event.workspaceId, waiting: [event] };
    lanes.set(key, started);
    track(
      (async () => {
        try {
          await Promise.resolve(); // the events handed on with this one (one dispatch) join its batch
          while (started.waiting.length && !stopped) await deliverBatch(started, started.waiting.splice(0, MAX_BATCH));
        } finally {
          lanes.delete(key);
        }
      })(),
    );
  }

  /**
   * The events in one transaction: their marks together, then the subscriber on each in order. A lone event that
   * fails goes on with its retries apart; a failed batch is redone one event per transaction (the retry policy for
   * each, and a failure recorded on the event at fault). Neither holds the lane.
   */
  async function deliverBatch(lane: Lane, events: RecordedEvent[]): Promise<void> {
    const { plugin, subscriber, workspaceId } = lane;
    const caller = options.runner.callerFor(pluginSession(workspaceId, plugin.id));
    let delivered = 0;
    try {
      await caller.run(async (scope) => {
        const state = await states.of(scope.tx, workspaceId, plugin.id);
        const todo = await claimAll(scope.tx, plugin, subscriber, events, state);
        const batch = todo.map(deliveredOf);
        const lock = pluginLock(scope.tx, plugin.id, workspaceId);
        for (const event of batch) {
          await subscriber.handle(event, handlingContext(scope, event, state.settings, { attempt: 1, batch, lock }));
        }
        delivered = batch.length;
      });
      if (delivered && plugin.queues.length) wakeQueues(plugin.id);
    } catch (error) {
      // Redone apart (with retries); should that fail too, the event may come again (catch-up, the relay).
      recent.get(subscriber)?.forget(events.map((event) => event.id));
      if (events.length === 1) track(deliver(plugin, subscriber, events[0]!, { attempt: 1, error }));
      else for (const event of events) track(deliver(plugin, subscriber, event));
    }
  }

  const entryFor = (pluginId: string, name: string) => {
    const plugin = plugins.find((p) => p.id === pluginId);
    const subscriber = plugin?.subscribers.find((s) => s.name === name);
    return plugin && subscriber ? { plugin, subscriber } : undefined;
  };

  /** Delivers FAILED rows again (their subscribers still exist); the rows' events are read by id. Answers those started, each with its row's id. */
  async function retryFailed(rows: readonly { id?: string; pluginId: string; subscriber: string; eventId: string }[], workspaceId?: string) {
    if (!rows.length) return [];
    const ids = [...new Set(rows.map((r) => r.eventId))];
    const found = await options.prisma.event.findMany({ where: { id: { in: ids }, ...(workspaceId ? { workspaceId } : {}) } });
    const events = new Map(found.map((e) => [e.id, toRecordedEvent(e)]));
    const retries = rows.flatMap((row) => {
      const entry = entryFor(row.pluginId, row.subscriber);
      const event = events.get(row.eventId);
      // The subscriber was removed, or retention trimmed the event.
      return entry && event ? [{ ...entry, event, id: row.id }] : [];
    });
    // Past the chain bound (lowered since they failed): not delivered again; they turn SKIPPED, and the cuts are told.
    return (await bound.retriable(retries)).map((retry) => {
      const work = deliver(retry.plugin, retry.subscriber, retry.event);
      track(work);
      return { id: retry.id, work };
    });
  }

  async function catchUp(withinMs = 24 * 60 * 60 * 1000): Promise<number> {
    let handed = 0;
    // The window by the database's clock, as events' times are (a gateway's may be skewed: 30 minutes ahead, the
    // window's oldest 30 minutes were left out).
    const [{ since }] = await options.prisma.$queryRawUnsafe<[{ since: Date }]>(CATCH_UP_SINCE, withinMs);
    for (const [type, entries] of byEvent) {
      // Host-level read across workspaces (unscoped client): each delivery then runs in its event's workspace.
      const events = await options.prisma.event.findMany({
        where: { ...(type === '*' ? {} : { type }), occurredAt: { gt: since } },
        orderBy: [{ occurredAt: 'asc' }],
        take: 5000,
      });
      if (!events.length) continue;
      for (const { plugin, subscriber } of entries) {
        const seen = await options.prisma.pluginDelivery.findMany({
          where: { pluginId: plugin.id, subscriber: subscriber.name, eventId: { in: events.map((e) => e.id) } },
          select: { eventId: true },
        });
        const known = new Set(seen.map((row) => row.eventId));
        // Those the subscriber's interest wants now (read afresh: every change committed so far is in it).
        const unmarked = bound.within(plugin, subscriber, await interests.wanted(subscriber, events.filter((event) => !known.has(event.id)).map(toRecordedEvent)));
        for (const event of unmarked) enqueue(plugin, subscriber, event);
        handed += unmarked.length;
      }
    }
    // Deliveries that failed for good get another round: the plugin may have been fixed since.
    const failed = await options.prisma.pluginDelivery.findMany({
      where: { status: 'FAILED', pluginId: { in: plugins.map((p) => p.id) } },
      select: { pluginId: true, subscriber: true, eventId: true },
      orderBy: { createdAt: 'asc' },
      take: 5000,
    });
    handed += (await retryFailed(failed)).length;
    return handed;
  }

  async function redeliver(workspaceId: string, pluginId: string, deliveryId?: string): Promise<string[]> {
    const db = scopeToWorkspace(options.prisma, workspaceId);
    const rows = await db.pluginDelivery.findMany({
      where: { pluginId, status: 'FAILED', ...(deliveryId ? { id: deliveryId } : {}) },
      select: { id: true, pluginId: true, subscriber: true, eventId: true },
      orderBy: { createdAt: 'asc' },
      take: 1000,
    });
    // The ids of the deliveries redelivered: not those turned SKIPPED (past the chain bound) or left (their subscriber gone).
    const started = await retryFailed(rows, workspaceId);
    await Promise.all(started.map(({ work }) => work));
    return started.map(({ id }) => id!);
  }

  return {
    catchUp,
    redeliver,
    runJob: (pluginId, job, now, run) => jobs.run(pluginId, job, { ...run, ...(now ? { now } : {}) }),
    drainQueues: () => queues.drain(),
    route: routes,
    dispatch(events) {
      if (stopped) return;
      // A change committed here is heard before the events after it are asked about, here and on the other instances.
      interests.notice(events);
      signals.changed(interests.changes(events));
      // A plugin's own events committing (its mutations: a run requested by hand) may have queued work for it.
      for (const plugin of plugins) if (plugin.queues.length && events.some((event) => Object.hasOwn(plugin.events, event.type))) wakeQueues(plugin.id);
      const bySubscriber = new Map<SubscriberEntry, { plugin: Plugin; events: RecordedEvent[] }>();
      for (const event of events) {
        for (const { plugin, subscriber } of subscribersOf(event.type)) {
          const entry = bySubscriber.get(subscriber) ?? { plugin, events: [] };
          entry.events.push(event);
          bySubscriber.set(subscriber, entry);
        }
      }
      for (const [subscriber, { plugin, events: handed }] of bySubscriber) handOn(plugin, subscriber, handed);
    },
    notice: (events) => interests.notice(events),
    async settled() {
      while (inFlight.size) await Promise.all([...inFlight]);
    },
    async stop() {
      stopped = true;
      signals.stop();
      jobs.stop();
      await queues.stop();
      while (inFlight.size) await Promise.all([...inFlight]);
    },
  };
}
