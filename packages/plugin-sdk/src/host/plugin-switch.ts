// Switching a plugin off for one workspace, without a restart: its hooks, subscribers and jobs check the switch in
// their own transaction (hooks.ts, delivery.ts, jobs.ts); its GraphQL fields check it here, before they resolve.
import { CrmError } from '@crm/core';
import type { GraphContext } from '@crm/graph';
import { defaultFieldResolver, type GraphQLFieldResolver, type GraphQLSchema, isNonNullType, isObjectType } from 'graphql';
import { type PluginState, readPluginStates } from '../plugin-state.js';
import type { GraphqlContribution } from './graphql-contributions.js';

/** How long a long-lived context (a graphql-ws connection's) trusts what it read about the switches. */
const STALE_AFTER_MS = 2000;

/**
 * The switches, read once per request (at the first plugin field it resolves: one statement, the same whatever the
 * page size) and, for a graphql-ws connection whose context lives on, again after 2 s. Never shared between requests,
 * so a switch flipped on any instance holds for the next request everywhere.
 */
export class PluginSwitchboard {
  private readonly perContext = new WeakMap<GraphContext, { at: number; states: Promise<(pluginId: string) => PluginState> }>();

  /** Whether `pluginId` acts for the caller's workspace (true without a caller: the field's own checks answer). */
  async isOn(context: GraphContext, pluginId: string): Promise<boolean> {
    const caller = context.caller;
    if (!caller) return true;
    let entry = this.perContext.get(context);
    if (!entry || Date.now() - entry.at > STALE_AFTER_MS) {
      entry = { at: Date.now(), states: readPluginStates(caller.db, caller.session.workspaceId) };
      this.perContext.set(context, entry);
      entry.states.catch(() => this.perContext.delete(context));
    }
    return (await entry.states)(pluginId).enabled;
  }
}

/** What a switched-off plugin's root fields (and its non-null fields) answer. */
export const pluginDisabled = (pluginId: string) =>
  new CrmError('FORBIDDEN', `The ${pluginId} plugin is switched off in this workspace (an ADMIN can switch it on: setPluginEnabled)`, undefined, {
    reason: 'PLUGIN_DISABLED',
    plugin: pluginId,
  });

const ROOTS = new Set(['Query', 'Mutation', 'Subscription']);

/**
 * Wraps the resolvers of the fields each plugin adds to types it did not add (root fields, fields on core types):
 * while the plugin is off in the caller's workspace a root field fails with FORBIDDEN (`extensions.reason:
 * PLUGIN_DISABLED`, `extensions.plugin`), and a field on another type is null (or that error when it is non-null).
 * The plugin's own types are reachable only through those fields (and `node(id)`, which still answers by id).
 */
export function guardPluginFields(schema: GraphQLSchema, contributions: readonly GraphqlContribution[], switchboard: PluginSwitchboard): void {
  for (const { plugin, fields } of contributions) {
    for (const coordinate of fields) {
      const [typeName, fieldName] = coordinate.split('.') as [string, string];
      const type = schema.getType(typeName);
      if (!isObjectType(type)) continue; // input fields carry no resolver
      const field = type.getFields()[fieldName];
      if (!field) continue;
      const answerNull = !ROOTS.has(typeName) && !isNonNullType(field.type);
      const guard = <F extends GraphQLFieldResolver<unknown, GraphContext>>(inner: F): GraphQLFieldResolver<unknown, GraphContext> =>
        async (source, args, context, info) => {
          if (await switchboard.isOn(context, plugin)) return inner(source, args, context, info);
          if (answerNull) return null;
          throw pluginDisabled(plugin);
        };
      field.resolve = guard(field.resolve ?? defaultFieldResolver);
      if (field.subscribe) field.subscribe = guard(field.subscribe);
    }
  }
}

/**
 * `defineCustomField` on an object of a plugin switched off in the caller's workspace: FORBIDDEN (PLUGIN_DISABLED), as
 * the plugin's own fields answer there. (The enum of extensible objects is the installed plugins', shared by every
 * workspace's schema; this is where a workspace's switches narrow it.)
 */
export function guardCustomFieldDefinitions(schema: GraphQLSchema, pluginOf: ReadonlyMap<string, string>, switchboard: PluginSwitchboard): void {
  const field = schema.getMutationType()?.getFields().defineCustomField;
  if (!field || !pluginOf.size) return;
  const inner = field.resolve ?? defaultFieldResolver;
  field.resolve = async (source, args: { input?: { object?: string | null } }, context: GraphContext, info) => {
    const plugin = pluginOf.get(args.input?.object ?? '');
    if (plugin && !(await switchboard.isOn(context, plugin))) throw pluginDisabled(plugin);
    return inner(source, args, context, info);
  };
}
