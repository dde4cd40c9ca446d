import type { PrismaClient } from './generated/prisma/client.js';
import { getDatamodel } from './generated/pothos-types.js';
import { markTransactionView } from './transaction-views.js';

/**
 * What one API key may reach, as the data layer applies it (the decisions are made elsewhere: `@crm/core`'s
 * `Permissions`). Layered on a workspace-scoped client by {@link restrictRows}, so every Prisma read and write of a
 * request or command goes through it, plugins' included.
 */
export interface RowAccess {
  /** A condition ANDed into every read of `model` (top-level and nested to-many), or null for none. */
  readCondition(model: string): Record<string, unknown> | null;
  /** Refuses (throws) a write the key may not make, or returns its arguments, narrowed where a rule applies. */
  write(model: string, operation: string, args: Record<string, unknown>): Record<string, unknown>;
}

type Selection = Record<string, unknown>;

const relations = new Map(
  Object.entries(getDatamodel().datamodel.models).map(([name, model]) => [
    name,
    new Map(model.fields.filter((field) => field.kind === 'object').map((field) => [field.name, { target: field.type, isList: field.isList }])),
  ]),
);

const reads = new Set(['findUnique', 'findUniqueOrThrow', 'findFirst', 'findFirstOrThrow', 'findMany', 'count', 'aggregate', 'groupBy']);
const writes = new Set(['create', 'createMany', 'createManyAndReturn', 'update', 'updateMany', 'updateManyAndReturn', 'upsert', 'delete', 'deleteMany']);

/** `where` AND `condition`, keeping `where`'s own keys at the top (a unique `where` must name its unique field there). */
function and(where: unknown, condition: Selection | null): Selection | undefined {
  if (!condition) return where as Selection | undefined;
  if (!where) return condition;
  const given = where as Selection;
  const earlier = Array.isArray(given.AND) ? given.AND : given.AND ? [given.AND] : [];
  return { ...given, AND: [...earlier, condition] };
}

function nestedReads(access: RowAccess, model: string, args: Selection): Selection {
  const out: Selection = { ...args };
  for (const key of ['include', 'select'] as const) {
    const selection = args[key];
    if (selection && typeof selection === 'object') out[key] = nestedSelection(access, model, selection as Selection);
  }
  return out;
}

function nestedSelection(access: RowAccess, model: string, selection: Selection): Selection {
  const fields = relations.get(model);
  const out: Selection = { ...selection };
  for (const [name, value] of Object.entries(selection)) {
    if (name === '_count' && value && typeof value === 'object' && (value as Selection).select) {
      const select: Selection = {};
      for (const [relation, counted] of Object.entries((value as { select: Selection }).select)) {
        const target = fields?.get(relation)?.target;
        const condition = target ? access.readCondition(target) : null;
        const countArgs = counted === true ? {} : (counted as Selection);
        select[relation] = condition && counted ? { ...countArgs, where: and(countArgs.where, condition) } : counted;
      }
      out._count = { ...(value as Selection), select };
      continue;
    }
    const relation = fields?.get(name);
    if (!relation || !value) continue;
    const nested: Selection = value === true ? {} : { ...(value as Selection) };
    if (relation.isList) {
      const condition = access.readCondition(relation.target);
      if (condition) nested.where = and(nested.where, condition);
    }
    const scoped = nestedReads(access, relation.target, nested);
    out[name] = Object.keys(scoped).length ? scoped : true;
  }
  return out;
}

/** One Prisma operation's arguments as `access` lets them run (throws for a write it refuses). */
function restrictedArgs(access: RowAccess, model: string, operation: string, args: unknown): unknown {
  const given = (args ?? {}) as Selection;
  if (writes.has(operation)) return nestedReads(access, model, access.write(model, operation, given));
  if (!reads.has(operation)) return args;
  const condition = access.readCondition(model);
  const narrowed = condition ? { ...given, where: and(given.where, condition) } : given;
  return nestedReads(access, model, narrowed);
}

const cache = new WeakMap<PrismaClient, WeakMap<RowAccess, PrismaClient>>();

/**
 * `client` (a workspace-scoped client) narrowed to what `access` allows: reads see only the rows its conditions keep
 * (to-many relations and `_count`s too; a to-one link names its row, as a foreign key does), writes are checked
 * before they run. Cached per access object, so a key's client is built once while its permissions live.
 */
export function restrictRows(client: PrismaClient, access: RowAccess): PrismaClient {
  let byAccess = cache.get(client);
  if (!byAccess) cache.set(client, (byAccess = new WeakMap()));
  let restricted = byAccess.get(access);
  if (!restricted) {
    restricted = client.$extends({
      name: 'row-access',
      query: {
        $allModels: {
          $allOperations({ model, operation, args, query }) {
            return query(restrictedArgs(access, model, operation, args) as typeof args);
          },
        },
      },
    }) as unknown as PrismaClient;
    byAccess.set(access, restricted);
  }
  return restricted;
}

/** Delegate property (`customer`) → model name (`Customer`). */
const modelOfDelegate = new Map([...relations.keys()].map((name) => [name.charAt(0).toLowerCase() + name.slice(1), name]));

/**
 * A running transaction narrowed to what `access` allows, as {@link restrictRows} narrows a client: an interactive
 * transaction cannot be extended, so its model delegates are wrapped instead (same rules, same checks). Plugin work
 * acting as a role (`commands.createTask(input, { as })`) runs the core's command on this. Raw SQL is not narrowed.
 */
export function restrictTransaction<T extends object>(tx: T, access: RowAccess): T {
  const delegates = new Map<string, unknown>();
  const view = new Proxy(tx, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      const model = typeof property === 'string' ? modelOfDelegate.get(property) : undefined;
      if (!model || !value || typeof value !== 'object') return value;
      let wrapped = delegates.get(property as string);
      if (!wrapped) {
        const delegate = value as Record<string, unknown>;
        wrapped = new Proxy(delegate, {
          get(inner, operation, innerReceiver) {
            const method = Reflect.get(inner, operation, innerReceiver) as unknown;
            if (typeof operation !== 'string' || typeof method !== 'function' || !(reads.has(operation) || writes.has(operation))) return method;
            return (args?: unknown) => (method as (args?: unknown) => unknown).call(inner, restrictedArgs(access, model, operation, args));
          },
        });
        delegates.set(property as string, wrapped);
      }
      return wrapped;
    },
  });
  markTransactionView(view, tx);
  return view;
}
