import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CommandScope, type EventCause, parseInput, type Permissions } from '@crm/core';
import type { Role } from '@crm/db';
import semver from 'semver';
import type { z } from 'zod';
import type { PluginDefinition, PluginObjectWriter, SettingsSchema } from './definition.js';
import type { PluginTools } from './handler-scope.js';
import type { DeliveredEvent, Hook, HookContext, OwnEmit, PendingEventOf, PublishedEvent, Subscriber } from './events.js';
import { checkedPayload, payloadSchemaProblem } from './event-payload.js';
import type { JobContext, QueueContext, QueueTransaction } from './jobs.js';
import type {
  ActionEntry,
  DashboardPanelEntry,
  HookEntry,
  HostContext,
  HostQueueContext,
  HostServices,
  JobEntry,
  Plugin,
  PluginProblem,
  SubscriberEntry,
} from './plugin.js';
import { coreCommandsFor, coreCommandsIn } from './core-commands.js';
import { attributed, pluginMisuse } from './plugin-errors.js';
import { createOwnRows, type OwnModels, ownModels } from './own-rows.js';
import { pluginLock } from './plugin-lock.js';
import { createPluginSql } from './plugin-sql.js';
import { type TableAccess, tableAccessFor } from './table-access.js';
import { actionInputFields, actionOutputFields } from './action-input.js';
import { checkedOutput, outputSchemaProblem } from './action-output.js';
import { actionCaller } from './action-caller.js';
import { eventCatalog } from './event-catalog.js';
import { createRecordAccess } from './record-access.js';
import { recordObjects } from './record-writes.js';
import { createToolkit, pluginScopeFactory } from './toolkit.js';
import { coreWriterOf } from './plugin-object-writer.js';
import { queueEntries, routeEntries } from './queue-route-declarations.js';
import { deepFreeze, EVENT, forEachHandler, isFunction, isRecord, KEBAB, KNOWN, NAME, ROLES, settingsEntry, SLOTS } from './definition-checks.js';

const toPath = (value: string | URL | undefined): string | null =>
  value === undefined ? null : value instanceof URL ? fileURLToPath(value) : path.resolve(value);

/**
 * Declares a plugin. Returns a frozen, validated value and does nothing else: no registration, no I/O beyond
 * resolving paths, so importing a plugin never changes anything. Problems are collected (all of them, with the
 * path of the option at fault) in `plugin.problems`; a host refuses to start while any plugin has one.
 *
 * ```ts
 * export default definePlugin({
 *   id: 'loyalty', version: '1.0.0', requires: { core: '^0.1.0' },
 *   prisma: new URL('../prisma/schema', import.meta.url), migrations: new URL('../prisma/migrations', import.meta.url),
 *   settings: z.object({ earnRate: z.number().positive().default(1) }),
 *   graphql: (builder, plugin) => { … },
 *   subscribers: { 'order.recorded': { earnPoints: async (event, { tx, settings }) => { … } } },
 * });
 * ```
 */
export function definePlugin<Settings extends SettingsSchema = z.ZodObject<{}>, Permission extends string = never, Event extends string = never>(
  definition: PluginDefinition<Settings, Permission, Event>,
): Plugin {
  const id = typeof definition.id === 'string' && definition.id ? definition.id : '(no id)';
  const problems: PluginProblem[] = [];
  const problem = (at: string, message: string) => problems.push({ plugin: id, path: at, message });

  for (const key of Object.keys(definition)) if (!KNOWN.has(key)) problem(key, `unknown option (known: ${[...KNOWN].join(', ')})`);
  if (!KEBAB.test(definition.id ?? '')) problem('id', 'must be kebab-case, e.g. "loyalty" or "cross-sell"');
  if (!semver.valid(definition.version ?? '')) problem('version', `must be a semver version such as "1.0.0" (got ${JSON.stringify(definition.version)})`);

  const core = definition.requires?.core ?? null;
  if (core !== null && !semver.validRange(core)) problem('requires.core', `not a semver range: ${JSON.stringify(core)}`);
  const requiredPlugins = [...(definition.requires?.plugins ?? [])];
  requiredPlugins.forEach((other, i) => {
    if (!KEBAB.test(other)) problem(`requires.plugins[${i}]`, `not a plugin id: ${JSON.stringify(other)}`);
    if (other === definition.id) problem(`requires.plugins[${i}]`, 'a plugin cannot require itself');
  });

  const permissions = { ...(definition.permissions ?? {}) } as Record<string, { roles: readonly string[] }>;
  for (const [name, permission] of Object.entries(permissions)) {
    if (!NAME.test(name)) problem(`permissions.${name}`, 'a permission name is an identifier, e.g. "adjustPoints"');
    if (!Array.isArray(permission?.roles) || !permission.roles.length || permission.roles.some((r) => !ROLES.has(r))) {
      problem(`permissions.${name}.roles`, 'a non-empty list of ADMIN, MEMBER, READ_ONLY');
    }
  }

  const events = { ...(definition.events ?? {}) };
  /** What the host parses emits with: each declared plain payload made strict once, so a key it does not declare is refused. */
  const emitted = new Map<string, z.ZodObject>();
  for (const [name, event] of Object.entries(events)) {
    if (!EVENT.test(name)) problem(`events["${name}"]`, 'an event is named entity.action, e.g. "loyalty.tier_changed"');
    if (!isRecord(event) || typeof event.subject !== 'string' || !/^[A-Z]\w*$/.test(event.subject)) {
      problem(`events["${name}"].subject`, 'the type the event is about, e.g. "LoyaltyAccount"');
    }
    const payload = isRecord(event) ? event.payload : undefined;
    if (payload !== undefined && payloadSchemaProblem(payload)) problem(`events["${name}"].payload`, payloadSchemaProblem(payload)!);
    else if (payload !== undefined) {
      // A payload that keeps undeclared keys on purpose (`.passthrough()`, `.catchall()`) keeps its choice; a plain one is made strict.
      const object = payload as z.ZodObject;
      emitted.set(name, object.def.catchall ? object : object.strict());
    }
    const read = isRecord(event) ? event.read : undefined;
    if (read !== undefined && !(typeof read === 'string' && (Object.hasOwn(permissions, read) || ROLES.has(read)))) {
      problem(`events["${name}"].read`, `one of the plugin's permissions (${Object.keys(permissions).join(', ') || 'none declared'}) or a role (ADMIN, MEMBER, READ_ONLY)`);
    }
  }

  const settings = settingsEntry(id, definition.settings, problem);
  const parseSettings = (raw: unknown, workspaceId: string): z.output<Settings> => (settings?.read(raw, workspaceId) ?? {}) as z.output<Settings>;

  // The tables its `sql` may read, worked out on first use (it reads the schema files).
  const prismaPath = toPath(definition.prisma);
  let tableAccess: TableAccess | null = null;
  const access = () => (tableAccess ??= tableAccessFor(prismaPath));
  // The models its `rows` may write: its own.
  let ownModelColumns: OwnModels | null = null;
  const own = () => (ownModelColumns ??= ownModels(prismaPath));

  /**
   * A plugin emits only its own events: posing as the core or another plugin is refused. An event declaring its
   * payload is emitted as its declaration parses it, strict (one zod parse: a refused payload — a key missing, of
   * another type, or not declared — fails the transaction).
   */
  const ownEmit = (emit: CommandScope['emit']): CommandScope['emit'] => (type, subject, payload) => {
    if (!Object.hasOwn(events, type)) {
      throw pluginMisuse(id, `may emit only its own events (declared in \`events\`: ${Object.keys(events).join(', ') || 'none'}); it emitted "${type}"`);
    }
    const declared = emitted.get(type);
    emit(type, subject, declared ? (checkedPayload(id, type, declared, payload) as typeof payload) : payload);
  };
  // Without the host's services (a plugin checked on its own), records are core's and the plugin's own objects.
  let ownServices: HostServices | null = null;
  const fallbackServices = (): HostServices =>
    (ownServices ??= {
      objects: createRecordAccess((definition.objects ?? []).map(({ writer: _writer, ...object }) => ({ ...object, plugin: id }))),
      actions: [],
      events: eventCatalog([{ id, events }]),
    });
  /** What every handler gets besides the host's context: `sql`, the core's `commands`, and its own `emit`. */
  type ActingAs = (actor: string) => Pick<CommandScope, 'tx' | 'emit' | 'session'>;
  // `permissions`: the role an action is called `as` (action-caller.ts): its tools are bounded by them as the host's
  // own command steps are (sql reads, record writes, core commands); not a key of the handler's context.
  const inScope = <C extends { tx: CommandScope['tx']; emit: CommandScope['emit']; session: CommandScope['session']; settings: unknown; services?: HostServices; actingAs?: ActingAs; chain?: EventCause | null; permissions?: Permissions }>(
    { services, chain, permissions, ...context }: C,
    workspaceId: string,
  ) => {
    const shared = services ?? fallbackServices();
    const base: CommandScope = { tx: context.tx, emit: context.emit, session: context.session, personalData: [], ...(permissions ? { permissions } : {}) };
    // A queue's or route's transaction acts as other actors of the plugin's: commands answering item by item name each
    // item's actor in its events (`items[].actor`, prefixed by the host as `plugin:<id>:<actor>`).
    const acting = context.actingAs;
    const commandScope: CommandScope = acting ? { ...base, actingAs: (actor) => ({ ...base, ...acting(actor) }) } : base;
    // Typed by the one declaration of what every handler gets (handler-scope.ts): a tool declared there is built here.
    const tools: PluginTools<Event> = {
      emit: ownEmit(context.emit) as OwnEmit<Event>,
      commands: coreCommandsIn(commandScope, shared.objects.catalog),
      sql: createPluginSql(id, context.tx, workspaceId, access, permissions),
      rows: createOwnRows(id, context.tx, workspaceId, own, chain ?? null),
      objects: recordObjects(shared.objects, { tx: context.tx, emit: context.emit, session: context.session, permissions }),
      actions: actionCaller(shared, { tx: context.tx, emit: context.emit, session: context.session, permissions }),
    };
    return { ...context, ...tools, settings: parseSettings(context.settings, workspaceId) };
  };

  /** A personal-data handler's context: a hook's, with the plugin's `lock` (its own transactions' locks). */
  const personalScope = <C extends Parameters<typeof inScope>[0]>(context: C) => ({
    ...inScope(context, context.session.workspaceId),
    lock: pluginLock(context.tx, id, context.session.workspaceId),
  });

  const subscribers: SubscriberEntry[] = [];
  forEachHandler<Subscriber<never, z.output<Settings>, Event>>(definition.subscribers, 'subscribers', problem, (event, name, handler, interest) => {
    subscribers.push({
      event,
      name,
      // The host delivers only events of this type, so the payload has this event's shape.
      handle: (delivered, { inChainOf, ...context }) =>
        handler(delivered as DeliveredEvent<never>, {
          ...inScope(context, delivered.workspaceId),
          // Another event of the batch: the same transaction, in that event's chain (what the host says it is).
          inChainOf: (event) => {
            const { emit, commands, objects, actions, rows, session } = inScope({ ...context, ...inChainOf(event) }, delivered.workspaceId);
            return { emit, commands, objects, actions, rows, session };
          },
        }),
      interest: interest
        ? { of: ({ workspaceId, db }) => interest.of({ workspaceId, sql: createPluginSql(id, db, workspaceId, access) }), changedBy: new Set(interest.changedBy) }
        : null,
    });
  });
  const hooks: HookEntry[] = [];
  forEachHandler<Hook<never, z.output<Settings>, Event>>(definition.hooks, 'hooks', problem, (event, name, handler) => {
    hooks.push({
      event,
      name,
      handle: (pending, context) =>
        handler(pending as PendingEventOf<never>, inScope(context, context.session.workspaceId)),
    });
  });

  const jobs: JobEntry[] = [];
  for (const [name, job] of Object.entries(definition.jobs ?? {})) {
    if (!NAME.test(name)) problem(`jobs.${name}`, 'a job name is an identifier');
    if (!isRecord(job) || !isFunction(job.run)) problem(`jobs.${name}.run`, 'must be an async function (ctx) => …');
    else if (!Number.isFinite(job.everyMs) || job.everyMs < 1000) problem(`jobs.${name}.everyMs`, 'an interval of at least 1000 ms');
    else if (job.transaction !== undefined && job.transaction !== 'one' && job.transaction !== 'per-call') problem(`jobs.${name}.transaction`, "'one' (the default) or 'per-call'");
    else {
      const scoped = (scope: HostContext<JobContext<unknown>>): JobContext<z.output<Settings>, Event> => ({ ...inScope(scope, scope.workspaceId), workspaceId: scope.workspaceId, now: scope.now });
      jobs.push({
        name,
        everyMs: job.everyMs,
        transaction: job.transaction ?? 'one',
        run: (calls) =>
          job.transaction === 'per-call'
            ? job.run({
                workspaceId: calls.workspaceId,
                get now() {
                  return calls.now; // the database's time, known once the first transaction has begun
                },
                transaction: (fn) => calls.transaction((scope) => fn(scoped(scope))),
              })
            : calls.transaction((scope) => job.run(scoped(scope))),
      });
    }
  }

  const panels: DashboardPanelEntry[] = [];
  for (const [panelId, panel] of Object.entries(definition.dashboard?.panels ?? {})) {
    const at = `dashboard.panels.${panelId}`;
    if (!KEBAB.test(panelId)) problem(at, 'a panel id is kebab-case, e.g. "nps-score"');
    else if (!isRecord(panel) || typeof panel.title !== 'string' || !panel.title) problem(`${at}.title`, 'a title to show above the panel');
    else if (!SLOTS.has(panel.slot)) problem(`${at}.slot`, `where it shows: ${[...SLOTS].join(', ')}`);
    else if (!(typeof panel.module === 'string' || panel.module instanceof URL) || !/\.m?js$/.test(String(panel.module))) {
      problem(`${at}.module`, 'the built panel module (.js), e.g. new URL("../dashboard/panel.js", import.meta.url)');
    } else panels.push({ id: panelId, title: panel.title, slot: panel.slot, file: toPath(panel.module)! });
  }

  const actions: ActionEntry[] = [];
  for (const [name, action] of Object.entries(definition.actions ?? {})) {
    const at = `actions.${name}`;
    if (!NAME.test(name)) problem(at, 'an action name is an identifier, e.g. "awardPoints"');
    else if (!isRecord(action) || !isFunction(action.run)) problem(`${at}.run`, 'must be an async function (input, ctx) => result');
    else if (!isRecord(action.input) || !isFunction((action.input as { safeParse?: unknown }).safeParse)) problem(`${at}.input`, 'a zod schema of its input');
    else if (action.output !== undefined && outputSchemaProblem(action.output)) problem(`${at}.output`, outputSchemaProblem(action.output)!);
    else if (action.permission !== undefined && !Object.hasOwn(permissions, action.permission)) {
      problem(`${at}.permission`, `one of the plugin's permissions (${Object.keys(permissions).join(', ') || 'none declared'})`);
    } else {
      const shape = (action.input as { shape?: unknown }).shape;
      actions.push({
        name: `${id}.${name}`,
        plugin: id,
        description: action.description ?? null,
        idempotent: action.idempotent ?? false,
        inputKeys: isRecord(shape) ? Object.keys(shape) : [],
        input: actionInputFields(action.input as z.ZodType),
        output: action.output ? actionOutputFields(action.output as z.ZodType) : null,
        permission: action.permission ? { name: action.permission, roles: (permissions[action.permission]?.roles ?? []) as Role[] } : null,
        run: async (input, context) =>
          checkedOutput(id, name, action.output, await action.run(parseInput(action.input, input), { ...inScope(context, context.session.workspaceId), lock: pluginLock(context.tx, id, context.session.workspaceId) })),
      });
    }
  }

  /** A queue's or route's transaction: the plugin's scope, which also acts as other actors of the plugin's. */
  const transactionScope = (scope: HostContext<QueueTransaction<unknown>>, workspaceId: string): QueueTransaction<z.output<Settings>, Event> => ({
    ...inScope(scope, workspaceId),
    workspaceId,
    now: scope.now,
    lock: scope.lock,
    actingAs: (actor, options) => {
      const { commands, objects, actions, emit, session } = inScope({ ...scope, ...scope.actingAs(actor, options) }, workspaceId);
      return { commands, objects, actions, emit: emit as OwnEmit<Event>, session };
    },
  });
  const queueContext = (context: HostQueueContext): QueueContext<z.output<Settings>, Event> => ({
    workspaceId: context.workspaceId,
    now: context.now,
    http: context.http,
    transaction: (fn, options) => context.transaction((scope) => fn(transactionScope(scope, context.workspaceId)), options),
    report: context.report,
  });

  const queues = queueEntries(definition.queues, problem, queueContext);
  const routes = routeEntries(definition.routes, problem, transactionScope);

  if (definition.graphql !== undefined && !isFunction(definition.graphql)) problem('graphql', 'must be a function (builder, plugin) => void');
  if (definition.seed !== undefined && !isFunction(definition.seed)) problem('seed', 'must be an async function');
  const attempts = definition.delivery?.attempts ?? 5;
  const backoffMs = definition.delivery?.backoffMs ?? 200;
  if (!Number.isInteger(attempts) || attempts < 1 || attempts > 20) problem('delivery.attempts', 'an integer from 1 to 20');
  if (!Number.isFinite(backoffMs) || backoffMs < 0) problem('delivery.backoffMs', 'a number of milliseconds, 0 or more');

  const personal = definition.personalData;
  if (personal !== undefined && !(isRecord(personal) && isFunction(personal.merge) && isFunction(personal.export) && isFunction(personal.erase) && (personal.eraseLast === undefined || isFunction(personal.eraseLast)))) {
    problem('personalData', 'must have async functions merge, export and erase (and eraseLast, if given)');
  }

  const fieldUsers = definition.fieldUsers;
  if (fieldUsers !== undefined && !isFunction(fieldUsers)) problem('fieldUsers', 'must be an async function (field, context) => users');
  const fieldRenamed = definition.fieldRenamed;
  if (fieldRenamed !== undefined && !isFunction(fieldRenamed)) problem('fieldRenamed', 'must be an async function (field, context) => void');
  const customObjectRenamed = definition.customObjectRenamed;
  if (customObjectRenamed !== undefined && !isFunction(customObjectRenamed)) problem('customObjectRenamed', 'must be an async function (rename, context) => void');

  const objectNames = new Set<string>();
  for (const [i, object] of (definition.objects ?? []).entries()) {
    if (!object || typeof object.name !== 'string' || !/^[A-Z][A-Za-z0-9]*$/.test(object.name)) problem(`objects[${i}].name`, 'a PascalCase GraphQL type name');
    else if (objectNames.has(object.name)) problem(`objects[${i}].name`, `${object.name} is declared twice`);
    else objectNames.add(object.name);
  }

  const scopeOf = pluginScopeFactory<z.output<Settings>, Event>(id, parseSettings, access, ownEmit, own);
  for (const [i, object] of (definition.objects ?? []).entries()) {
    const permission = object?.writer?.permission;
    if (object?.writer && !(typeof permission === 'string' && Object.hasOwn(permissions, permission))) {
      problem(`objects[${i}].writer.permission`, `one of the plugin's permissions (${Object.keys(permissions).join(', ') || 'none declared'})`);
    }
  }

  const toolkitFor = (services: HostServices) =>
    createToolkit<z.output<Settings>, Permission, Event>(id, permissions as Plugin['permissions'], parseSettings, access, ownEmit, services, own);
  const graphql = definition.graphql;
  const seed = definition.seed;
  return deepFreeze({
    kind: 'crm-plugin',
    id,
    version: definition.version,
    description: definition.description ?? null,
    requires: { core, plugins: requiredPlugins },
    paths: { prisma: prismaPath, migrations: toPath(definition.migrations) },
    permissions: permissions as Plugin['permissions'],
    events,
    subscribers,
    hooks,
    delivery: { attempts, backoffMs },
    problems,
    settings,
    registerGraphql: isFunction(graphql) ? (builder, services) => graphql(builder, toolkitFor(services ?? fallbackServices())) : null,
    actions,
    queues,
    routes,
    seed: isFunction(seed)
      ? ({ caller, ...context }) =>
          seed({ ...context, settings: parseSettings(context.settings, context.workspaceId), sql: createPluginSql(id, context.db, context.workspaceId, access), commands: coreCommandsFor(caller) })
      : null,
    jobs,
    panels,
    objects: (definition.objects ?? []).map(({ writer, ...object }) => ({
      ...object,
      plugin: id,
      ...(writer ? { writer: coreWriterOf(id, permissions as Plugin['permissions'], scopeOf, object, writer as PluginObjectWriter<z.output<Settings>, Permission, Event>) } : {}),
    })),
    personalData: personal
      ? {
          merge: (input, context) => personal.merge(input, personalScope(context)),
          export: (customerId, context) => personal.export(customerId, personalScope(context)),
          erase: (customerId, context) => personal.erase(customerId, personalScope(context)),
          ...(personal.eraseLast ? { eraseLast: (customerId: string, context: Parameters<typeof personalScope>[0]) => personal.eraseLast!(customerId, personalScope(context)) } : {}),
        }
      : null,
    fieldUsers: isFunction(fieldUsers) ? (field, context) => fieldUsers(field, { ...context, settings: parseSettings(context.settings, context.session.workspaceId) }) : null,
    fieldRenamed: isFunction(fieldRenamed)
      ? (field, context) =>
          fieldRenamed(field, {
            ...context,
            settings: parseSettings(context.settings, context.session.workspaceId),
            rows: createOwnRows(id, context.tx, context.session.workspaceId, own),
            lock: pluginLock(context.tx, id, context.session.workspaceId),
          })
      : null,
    customObjectRenamed: isFunction(customObjectRenamed)
      ? (rename, context) =>
          customObjectRenamed(rename, {
            ...context,
            settings: parseSettings(context.settings, context.session.workspaceId),
            rows: createOwnRows(id, context.tx, context.session.workspaceId, own),
            lock: pluginLock(context.tx, id, context.session.workspaceId),
          })
      : null,
  } satisfies Plugin);
}
