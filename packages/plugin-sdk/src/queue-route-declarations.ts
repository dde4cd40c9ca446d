// The checks of a plugin's `queues` and `routes` declarations (definePlugin's), each turned into the entry the host runs.
import type { QueueContext, QueueDefinition, QueueTransaction } from './jobs.js';
import type { HostContext, HostQueueContext, QueueEntry, RouteEntry } from './plugin.js';
import type { RouteDefinition } from './routes.js';
import { isFunction, isRecord, KEBAB, NAME } from './definition-checks.js';

type Problem = (at: string, message: string) => void;

/** The declared queues that pass their checks, each handing its items the plugin's queue context. */
export function queueEntries<Settings, Event extends string>(
  declared: Record<string, QueueDefinition<Settings, Event>> | undefined,
  problem: Problem,
  queueContext: (context: HostQueueContext) => QueueContext<Settings, Event>,
): QueueEntry[] {
  const queues: QueueEntry[] = [];
  for (const [name, queue] of Object.entries(declared ?? {})) {
    const at = `queues.${name}`;
    if (!NAME.test(name)) problem(at, 'a queue name is an identifier');
    else if (!isRecord(queue) || !isFunction(queue.handle)) problem(`${at}.handle`, 'must be an async function (item, ctx) => …');
    else if (typeof queue.model !== 'string' || !/^[A-Z]\w*$/.test(queue.model)) problem(`${at}.model`, 'one of the plugin\'s models, e.g. "WorkflowStepRun"');
    else if (queue.group !== undefined && (typeof queue.group !== 'string' || !/^[A-Za-z_]\w*$/.test(queue.group))) problem(`${at}.group`, 'a column of the queue\'s model, e.g. "runId"');
    else {
      const positive = (value: number | undefined, fallback: number, key: string, least: number) => {
        const v = value ?? fallback;
        if (!Number.isFinite(v) || v < least) problem(`${at}.${key}`, `a number of at least ${least}`);
        return v;
      };
      queues.push({
        name,
        model: queue.model,
        group: queue.group ?? null,
        leaseMs: positive(queue.leaseMs, 60_000, 'leaseMs', 1000),
        pollMs: positive(queue.pollMs, 1000, 'pollMs', 10),
        batch: positive(queue.batch, 16, 'batch', 1),
        workers: positive(queue.workers, 1, 'workers', 1),
        whileSwitchedOff: queue.whileSwitchedOff === true,
        handle: (item, context) => queue.handle(item, queueContext(context)),
        ...(queue.handleBatch ? { handleBatch: (items, context) => queue.handleBatch!(items, queueContext(context)) } : {}),
      });
    }
  }
  return queues;
}

/** The declared routes that pass their checks, each handing its requests transactions in the plugin's scope. */
export function routeEntries<Settings, Event extends string>(
  declared: Record<string, RouteDefinition<Settings, Event>> | undefined,
  problem: Problem,
  transactionScope: (scope: HostContext<QueueTransaction<unknown>>, workspaceId: string) => QueueTransaction<Settings, Event>,
): RouteEntry[] {
  const routes: RouteEntry[] = [];
  for (const [name, route] of Object.entries(declared ?? {})) {
    const at = `routes.${name}`;
    if (!KEBAB.test(name)) problem(at, 'a route name is kebab-case, e.g. "hooks"');
    else if (!isRecord(route) || !isFunction(route.handle)) problem(`${at}.handle`, 'must be an async function (request, ctx) => response');
    else if (route.maxBodyBytes !== undefined && !(Number.isInteger(route.maxBodyBytes) && route.maxBodyBytes > 0)) problem(`${at}.maxBodyBytes`, 'a positive number of bytes');
    else if (route.limitRefusals !== undefined && typeof route.limitRefusals !== 'boolean') problem(`${at}.limitRefusals`, 'true or false');
    else {
      routes.push({
        name,
        maxBodyBytes: route.maxBodyBytes ?? 256 * 1024,
        limitRefusals: route.limitRefusals ?? false,
        handle: (request, context) =>
          route.handle(request, {
            workspaceId: context.workspaceId,
            now: context.now,
            wake: context.wake,
            transaction: (fn, options) => context.transaction((scope) => fn(transactionScope(scope, context.workspaceId)), options),
          }),
      });
    }
  }
  return routes;
}
