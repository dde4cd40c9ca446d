// Plugins' durable queues (`queues` in definePlugin): every gateway instance claims due rows of the queue's table with
// `FOR UPDATE SKIP LOCKED`, moving them a lease ahead in the same statement, so instances share the work and no row is
// handed to two at once; a row whose handler died comes due again when its lease ends. The SQL is the host's, not the
// plugin's: the table is the one the plugin's fragment maps the queue's model to.
import type { CommandRunner } from '@crm/core';
import type { PrismaClient } from '@crm/db';
import type { QueueItem } from '../jobs.js';
import type { OutboundHttp } from '../outbound-http.js';
import type { HostServices, Plugin, QueueEntry } from '../plugin.js';
import { declaredModels } from './fragment-models.js';
import type { PluginStateCache } from './plugin-state-cache.js';
import { pluginTransaction } from './plugin-transaction.js';

export interface QueueOptions {
  runner: CommandRunner;
  prisma: PrismaClient;
  services: HostServices;
  /** The plugins' switches and settings, cached per workspace. */
  states: PluginStateCache;
  http: OutboundHttp;
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

/** One worker of a queue in this process: it claims a batch, hands it on, and claims again while there is work. */
interface Loop {
  plugin: Plugin;
  queue: QueueEntry;
  table: string;
  /** The first worker: it polls on the queue's interval; the others sleep until there is work. */
  primary: boolean;
  wake: () => void;
  done: Promise<void>;
}

/** A switched-off plugin's due rows wait this long before they are looked at again. */
const PAUSED_MS = 60_000;

/** The table a queue's model maps to, from the plugin's fragment (null when the fragment does not declare it). */
export function queueTable(plugin: Plugin, queue: QueueEntry): string | null {
  if (!plugin.paths.prisma) return null;
  return declaredModels(plugin.paths.prisma).find((m) => m.name === queue.model)?.table ?? null;
}

export function startQueues(plugins: readonly Plugin[], options: QueueOptions): QueueWorkers {
  let stopped = false;
  const loops: Loop[] = [];
  const inFlight = new Set<Promise<unknown>>();

  async function claim(table: string, queue: QueueEntry): Promise<QueueItem[]> {
    // One statement: the due rows are locked (others skip them), leased and counted, then the lock ends at once. The
    // locked ids are an array the update finds by key: a join with them hashed the whole table when a fresh table had
    // no statistics, a scan growing with every run kept.
    const rows = await options.prisma.$queryRawUnsafe<{ id: string; workspaceId: string; claims: number }[]>(
      `UPDATE "${table}" AS q SET "dueAt" = now() + ($1::int * interval '1 millisecond'), "claims" = q."claims" + 1
       WHERE q.id = ANY(ARRAY(SELECT id FROM "${table}" WHERE "dueAt" <= now() ORDER BY "dueAt" LIMIT $2::int FOR UPDATE SKIP LOCKED))
       RETURNING q.id::text AS id, q."workspaceId"::text AS "workspaceId", q."claims"::int AS claims`,
      queue.leaseMs,
      queue.batch,
    );
    return rows.map((row) => ({ id: row.id, workspaceId: row.workspaceId, claims: Number(row.claims) }));
  }

  async function pause(table: string, id: string) {
    await options.prisma.$executeRawUnsafe(`UPDATE "${table}" SET "dueAt" = now() + ($1::int * interval '1 millisecond') WHERE id = $2::uuid`, PAUSED_MS, id);
  }

  const contextFor = (plugin: Plugin, workspaceId: string) => ({
    workspaceId,
    now: new Date(),
    http: options.http,
    transaction: pluginTransaction(options.runner, options.services, plugin, workspaceId, options.states),
  });

  /** A workspace's claimed rows: together when the queue takes batches, else one by one (concurrently). */
  async function handle(plugin: Plugin, queue: QueueEntry, table: string, items: QueueItem[], enabled: boolean) {
    if (!enabled) {
      await Promise.all(items.map((item) => pause(table, item.id)));
      return;
    }
    const context = contextFor(plugin, items[0]!.workspaceId);
    const reported = (work: Promise<void>, item: string) => work.catch((error: unknown) => options.onError?.(error, { plugin: plugin.id, queue: queue.name, item }));
    if (queue.handleBatch && items.length > 1) await reported(queue.handleBatch(items, context), items.map((item) => item.id).join(','));
    else await Promise.all(items.map((item) => reported(queue.handle(item, context), item.id)));
  }

  async function round(plugin: Plugin, queue: QueueEntry, table: string): Promise<number> {
    const items = await claim(table, queue);
    // Grouped by workspace: the plugin's switch is asked once per workspace of the batch (cached: plugin-state-cache.ts).
    const byWorkspace = new Map<string, QueueItem[]>();
    for (const item of items) byWorkspace.set(item.workspaceId, [...(byWorkspace.get(item.workspaceId) ?? []), item]);
    await Promise.all(
      [...byWorkspace].map(async ([workspaceId, group]) => {
        const work = options.states
          .of(options.prisma, workspaceId, plugin.id)
          .then((state) => handle(plugin, queue, table, group, state.enabled))
          .catch((error: unknown) => options.onError?.(error, { plugin: plugin.id, queue: queue.name, item: '' }));
        inFlight.add(work);
        await work;
        inFlight.delete(work);
      }),
    );
    return items.length;
  }

  for (const plugin of plugins) {
    for (const queue of plugin.queues) {
      const table = queueTable(plugin, queue);
      if (!table) continue; // the host's checks refused this already
      const workers: Loop[] = [];
      for (let index = 0; index < queue.workers; index++) {
        let wakeUp: (() => void) | null = null;
        let woken = false;
        const worker: Loop = {
          plugin,
          queue,
          table,
          primary: index === 0,
          wake: () => {
            woken = true;
            wakeUp?.();
          },
          done: Promise.resolve(),
        };
        if (options.timers ?? true) {
          worker.done = (async () => {
            while (!stopped) {
              let handled = 0;
              try {
                handled = await round(plugin, queue, table);
              } catch (error) {
                options.onError?.(error, { plugin: plugin.id, queue: queue.name, item: '' });
              }
              if (stopped) break;
              // A full batch: there is likely more due, for the other workers too.
              if (handled === queue.batch) for (const other of workers) if (other !== worker) other.wake();
              if (handled > 0 || woken) {
                woken = false;
                continue; // work begets work (a step's successor is due at once): look again without a pause
              }
              // Idle: the first worker looks again after the poll interval, the others when there is work.
              await new Promise<void>((resolve) => {
                const timer = worker.primary ? setTimeout(resolve, queue.pollMs) : null;
                timer?.unref();
                wakeUp = () => {
                  if (timer) clearTimeout(timer);
                  resolve();
                };
              });
              wakeUp = null;
            }
          })();
        }
        workers.push(worker);
      }
      loops.push(...workers);
    }
  }

  return {
    wake(pluginId) {
      for (const loop of loops) if (loop.plugin.id === pluginId) loop.wake();
    },
    async drain() {
      let total = 0;
      for (const loop of loops) if (loop.primary) total += await round(loop.plugin, loop.queue, loop.table);
      return total;
    },
    async stop() {
      stopped = true;
      for (const loop of loops) loop.wake();
      await Promise.all(loops.map((loop) => loop.done));
      while (inFlight.size) await Promise.all([...inFlight]);
    },
  };
}
