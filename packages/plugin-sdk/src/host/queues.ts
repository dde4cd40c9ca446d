// Plugins' durable queues (`queues` in definePlugin): every gateway instance claims due rows of the queue's table with
// `FOR UPDATE SKIP LOCKED`, moving them a lease ahead in the same statement, so instances share the work and no row is
// handed to two at once; a row whose handler died comes due again when its lease ends. The SQL is the host's, not the
// plugin's: the table is the one the plugin's fragment maps the queue's model to.
import type { CommandRunner, EventCause } from '@crm/core';
import type { PrismaClient } from '@crm/db';
import type { QueueItem } from '../jobs.js';
import type { HostOutboundHttp } from './plugin-runtime.js';
import type { HostQueueContext, HostServices, Plugin, QueueEntry } from '../plugin.js';
import { refusing } from '../switched-off.js';
import { hasChainColumns, idsOfTable, ownModels } from '../own-rows.js';
import { type DeclaredModel, declaredModels } from './fragment-models.js';
import type { PluginStateCache } from './plugin-state-cache.js';
import { pluginTransaction } from './plugin-transaction.js';

export interface QueueOptions {
  runner: CommandRunner;
  prisma: PrismaClient;
  services: HostServices;
  /** The plugins' switches and settings, cached per workspace. */
  states: PluginStateCache;
  http: HostOutboundHttp;
  onError?: (error: unknown, where: { plugin: string; queue: string; item: string }) => void;
  /** Poll on the queues' intervals. @default true */
  timers?: boolean;
}

export interface QueueWorkers {
  /** Looks for due work of the plugin's queues now (after its subscribers committed new work). */
  wake(pluginId: string): void;
  /** Claims and handles one round of every queue now; resolves with the rows handled (tests, tools). */
  drain(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * A queue in this process: one claim in flight at a time (a wake during a claim asks for one more claim after it, not
 * another claim at once: each empty claim is a round trip and CPU for nothing), up to `workers` claims and batches
 * at once while the queue is behind (its last claim came back full), and up to `workers` claimed batches handled at once.
 */
interface Pump {
  plugin: Plugin;
  queue: QueueEntry;
  table: string;
  /** Asks for a claim: at once when none is in flight and a worker is free, else after the current claim or batch. */
  request(): void;
  stop(): void;
}

/** A switched-off plugin's due rows wait this long before they are looked at again. */
const PAUSED_MS = 60_000;

/** The table a queue's model maps to, from the plugin's fragment (null when the fragment does not declare it). */
export function queueTable(plugin: Plugin, queue: QueueEntry): string | null {
  return queueModel(plugin, queue)?.table ?? null;
}

/** A queue's model as the plugin's fragment declares it (null when it does not). */
export function queueModel(plugin: Plugin, queue: QueueEntry): DeclaredModel | null {
  if (!plugin.paths.prisma) return null;
  return declaredModels(plugin.paths.prisma).find((m) => m.name === queue.model) ?? null;
}

/** Whether the queue's model keeps its items' causal chain (`causedBy` and `chainDepth` columns: jobs.ts). */
function storesChain(plugin: Plugin, queue: QueueEntry): boolean {
  const model = ownModels(plugin.paths.prisma).get(queue.model);
  return model ? hasChainColumns(model) : false;
}

/**
 * The chain a transaction for `items` continues: the item's own; a batch's deepest (its loops are cut no later than
 * any one item's), ties going to the `causedBy` that sorts last, so that the order the items were claimed in does not
 * decide. None when no item has one.
 */
export function chainOfItems(items: readonly Pick<QueueItem, 'causedBy' | 'chainDepth'>[]): EventCause | null {
  let deepest: EventCause | null = null;
  for (const { causedBy, chainDepth } of items) {
    if (!causedBy) continue;
    if (!deepest || chainDepth > deepest.chainDepth || (chainDepth === deepest.chainDepth && causedBy > deepest.causedBy)) deepest = { causedBy, chainDepth };
  }
  return deepest;
}

export function startQueues(plugins: readonly Plugin[], options: QueueOptions): QueueWorkers {
  const inFlight = new Set<Promise<unknown>>();
  /** Claims under way: `stop` waits for them (their rows' handlers start after them). */
  const claims = new Set<Promise<unknown>>();

  /** Tells `onError`; a reporter that throws does not stop the queue (its claims and batches run unawaited). */
  const report = (error: unknown, where: { plugin: string; queue: string; item: string }) => {
    try {
      options.onError?.(error, where);
    } catch {
      // the queue goes on: the next claim or poll comes as before
    }
  };

  async function claim(table: string, queue: QueueEntry, chained: boolean): Promise<QueueItem[]> {
    // One statement: the due rows are locked (others skip them), leased and counted, then the lock ends at once. The
    // locked ids are an array the update finds by key: a join with them hashed the whole table when a fresh table had
    // no statistics, a scan growing with every run kept.
    // The queue's `group` column (an identifier, checked by definePlugin) comes back with each row, and so does the
    // chain the item continues where its model stores one.
    const rows = await options.prisma.$queryRawUnsafe<{ id: string; workspaceId: string; claims: number; group?: string | null; causedBy?: string | null; chainDepth?: number | null }[]>(
      `UPDATE "${table}" AS q SET "dueAt" = now() + ($1::int * interval '1 millisecond'), "claims" = q."claims" + 1
       WHERE q.id = ANY(ARRAY(SELECT id FROM "${table}" WHERE "dueAt" <= now() ORDER BY "dueAt" LIMIT $2::int FOR UPDATE SKIP LOCKED))
       RETURNING q.id::text AS id, q."workspaceId"::text AS "workspaceId", q."claims"::int AS claims${queue.group ? `, q."${queue.group}"::text AS "group"` : ''}${
         chained ? `, q."causedBy"::text AS "causedBy", q."chainDepth"::int AS "chainDepth"` : ''
       }`,
      queue.leaseMs,
      queue.batch,
    );
    return rows.map((row) => ({
      id: row.id,
      workspaceId: row.workspaceId,
      claims: Number(row.claims),
      ...(queue.group ? { group: row.group ?? null } : {}),
      // A chain without its begin is none (the invariant: `causedBy` null ⇔ depth 0).
      causedBy: row.causedBy ?? null,
      chainDepth: row.causedBy ? Number(row.chainDepth ?? 0) : 0,
    }));
  }

  /** Puts claimed rows off (their plugin is switched off in their workspace), in one statement. */
  async function pause(table: string, items: readonly QueueItem[]) {
    // The ids (text, as claimed) are read back as the table's own id type, as `rows` updates do: a queue's id may be a
    // uuid, text or an int, and the rows are found by their key.
    await options.prisma.$executeRawUnsafe(
      `UPDATE "${table}" SET "dueAt" = now() + ($1::int * interval '1 millisecond') WHERE id = ANY(${idsOfTable(`"${table}"`, '$2')})`,
      PAUSED_MS,
      JSON.stringify(items.map((item) => ({ id: item.id }))),
    );
  }

  /**
   * A handler's context for `items` (of one workspace); its `report` names them, or the ones it is told about (if
   * any). Its transactions continue the items' causal chain (the deepest of a batch's: chainOfItems).
   */
  const contextFor = (plugin: Plugin, queue: QueueEntry, items: readonly QueueItem[], enabled: boolean): HostQueueContext => {
    const transaction = pluginTransaction(options.runner, options.services, plugin, items[0]!.workspaceId, options.states, chainOfItems(items));
    return {
      workspaceId: items[0]!.workspaceId,
      now: new Date(),
      ...(enabled
        ? { http: options.http.for?.({ plugin: plugin.id, workspaceId: items[0]!.workspaceId }) ?? options.http, transaction }
        : {
            // Switched off (a whileSwitchedOff queue): cleanup of its own rows only (switched-off.ts).
            switchedOff: true,
            http: refusing(plugin.id, 'http'),
            transaction: (fn, txOptions) =>
              transaction((scope) => fn({ ...scope, emit: refusing(plugin.id, 'emit'), actingAs: refusing(plugin.id, 'actingAs') }), txOptions),
          }),
      report: (error: unknown, about?: string | readonly string[]) =>
        report(error, { plugin: plugin.id, queue: queue.name, item: [about ?? []].flat().join(',') || items.map((item) => item.id).join(',') }),
    };
  };

  /** A workspace's claimed rows: together when the queue takes batches, else one by one (concurrently). */
  async function handle(plugin: Plugin, queue: QueueEntry, table: string, items: QueueItem[], enabled: boolean) {
    if (!enabled && !queue.whileSwitchedOff) {
      await pause(table, items);
      return;
    }
    const reported = (work: Promise<void>, item: string) => work.catch((error: unknown) => report(error, { plugin: plugin.id, queue: queue.name, item }));
    if (queue.handleBatch && items.length > 1) await reported(queue.handleBatch(items, contextFor(plugin, queue, items, enabled)), items.map((item) => item.id).join(','));
    // One context per item: a lone item's report names it, not the others claimed with it.
    else await Promise.all(items.map((item) => reported(queue.handle(item, contextFor(plugin, queue, [item], enabled)), item.id)));
  }

  /** Hands a claim's rows on, grouped by workspace: the plugin's switch is asked once per workspace (cached: plugin-state-cache.ts). */
  async function handleClaimed(plugin: Plugin, queue: QueueEntry, table: string, items: readonly QueueItem[]): Promise<void> {
    const byWorkspace = new Map<string, QueueItem[]>();
    for (const item of items) byWorkspace.set(item.workspaceId, [...(byWorkspace.get(item.workspaceId) ?? []), item]);
    await Promise.all(
      [...byWorkspace].map(async ([workspaceId, group]) => {
        const work = options.states
          .of(options.prisma, workspaceId, plugin.id)
          .then((state) => handle(plugin, queue, table, group, state.enabled))
          .catch((error: unknown) => report(error, { plugin: plugin.id, queue: queue.name, item: '' }));
        inFlight.add(work);
        await work;
        inFlight.delete(work);
      }),
    );
  }

  async function round(plugin: Plugin, queue: QueueEntry, table: string): Promise<number> {
    const items = await claim(table, queue, storesChain(plugin, queue));
    await handleClaimed(plugin, queue, table, items);
    return items.length;
  }

  function pump(plugin: Plugin, queue: QueueEntry, table: string): Pump {
    const chained = storesChain(plugin, queue);
    let wanted = false;
    let claiming = 0;
    /** The last claim came back full: more is due at once, so claims may overlap (a claim waits on a busy event loop). */
    let backlog = false;
    let busy = 0;
    let poll: NodeJS.Timeout | null = null;
    let halted = false;
    const idle = () => {
      // Look again after the poll interval: the fallback for a wake that never came (rows made due by time alone: a
      // wait ending, a retry's backoff over).
      if (poll) clearTimeout(poll);
      poll = setTimeout(self.request, queue.pollMs);
      poll.unref();
    };
    const claimOnce = async () => {
      let items: QueueItem[] = [];
      const claimed = claim(table, queue, chained);
      claims.add(claimed);
      try {
        items = await claimed;
      } catch (error) {
        report(error, { plugin: plugin.id, queue: queue.name, item: '' });
      } finally {
        claiming--;
        claims.delete(claimed);
      }
      backlog = items.length === queue.batch;
      if (items.length) {
        busy++;
        void handleClaimed(plugin, queue, table, items).finally(() => {
          busy--;
          // Work begets work (a step's successor due at once, a run admitted): look again without waiting for a wake.
          self.request();
        });
      }
      // Polled while batches are under way too: a long one (an HTTP step waiting on its server) must not hold back rows
      // that came due meanwhile while a worker is free.
      if (!wanted && !claiming && !halted) idle();
      run();
    };
    function run() {
      // One claim at a time, unless the queue is behind (the last claim came back full): then one per free worker.
      while ((wanted || backlog) && !halted && (claiming === 0 ? busy < queue.workers : backlog && busy + claiming < queue.workers)) {
        wanted = false;
        claiming++;
        if (poll) clearTimeout(poll);
        poll = null;
        void claimOnce();
      }
    }
    const self: Pump = {
      plugin,
      queue,
      table,
      request() {
        wanted = true;
        run();
      },
      stop() {
        halted = true;
        if (poll) clearTimeout(poll);
      },
    };
    return self;
  }

  const pumps: Pump[] = [];
  for (const plugin of plugins) {
    for (const queue of plugin.queues) {
      const table = queueTable(plugin, queue);
      if (!table) continue; // the host's checks refused this already
      const queuePump = pump(plugin, queue, table);
      pumps.push(queuePump);
      if (options.timers ?? true) queuePump.request();
      else queuePump.stop(); // no timers: rounds only when asked (drain)
    }
  }

  return {
    wake(pluginId) {
      for (const queuePump of pumps) if (queuePump.plugin.id === pluginId) queuePump.request();
    },
    async drain() {
      let total = 0;
      for (const { plugin, queue, table } of pumps) total += await round(plugin, queue, table);
      return total;
    },
    async stop() {
      for (const queuePump of pumps) queuePump.stop();
      // Rows claimed before the stop are handled, not left to their lease.
      while (claims.size || inFlight.size) await Promise.allSettled([...claims, ...inFlight]);
    },
  };
}
