// Composes the enabled plugins into what a gateway (or the CLI) needs: migrations in dependency order, one schema
// extension, one before-commit hook, event delivery, demo data. Refuses, compiler-style, when anything is wrong.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { type CommitHook, CommandRunner, type EventReaders, type FieldUsageExtension, type ObjectDeclaration, type PersonalDataExtension } from '@crm/core';
import { type Migration, type PrismaClient, readMigrationsFolder, scopeToWorkspace } from '@crm/db';
import type { Builder } from '@crm/graph';
import type { HostServices, Plugin, PluginProblem } from '../plugin.js';
import { eventCatalog, eventReaders } from '../event-catalog.js';
import { createRecordAccess } from '../record-access.js';
import { queueModel } from './queues.js';
import { readStoredSettings } from '../settings-store.js';
import type { GraphQLSchema } from 'graphql';
import { checkData, checkEvents, checkIdentity, checkModels, dependencyOrder, type Origins } from './checks.js';
import { registerPluginDeliveries } from './deliveries-graphql.js';
import { checkGraphqlTogether, graphqlContributions } from './graphql-contributions.js';
import { type HostedPanel, panelPath, registerDashboardPanels } from './panels-graphql.js';
import { guardCustomFieldDefinitions, guardPluginFields, PluginSwitchboard } from './plugin-switch.js';
import { startDelivery } from './delivery.js';
import { type DeliveryOptions, pluginSession, type PluginRuntime } from './plugin-runtime.js';
import { commitHookFor } from './hooks.js';
import { fieldUsageExtensionsFor } from '../field-users.js';
import { personalDataExtensionsFor } from './personal-data.js';
import { registerPluginAdmin } from './settings-graphql.js';

/** The host refused the plugin list; `problems` has every problem found. */
export class PluginHostError extends Error {
  override name = 'PluginHostError';
  constructor(readonly problems: readonly PluginProblem[]) {
    super(formatProblems(problems));
  }
}

/** `loyalty: requires.core: needs core ^2.0.0; this is core 0.1.0`, one line per problem, like a compiler. */
export function formatProblems(problems: readonly PluginProblem[]): string {
  const lines = problems.map((p) => `  ${p.plugin}: ${p.path}: ${p.message}`);
  return `The plugins cannot start (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${lines.join('\n')}`;
}

/** This core's version (the `@crm/core` package's), for `requires.core`. */
export function coreVersion(): string {
  const entry = createRequire(import.meta.url).resolve('@crm/core');
  const manifest = path.join(path.dirname(entry), '..', 'package.json');
  return (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version: string }).version;
}

export interface PluginHost {
  /** Enabled plugins, each after those it requires. */
  readonly plugins: readonly Plugin[];
  /** The plugins' migrations, in dependency order, named `<pluginId>/<folder>`: apply after core's. */
  readonly migrations: readonly Migration[];
  /** Adds every plugin's GraphQL contributions (and the `plugins` admin fields) to a schema builder. */
  extendSchema(builder: Builder): void;
  /**
   * Makes the plugins' fields in a schema built with `extendSchema` honour the per-workspace switch
   * (`setPluginEnabled`): call once on the schema the gateway serves.
   */
  guardSchema(schema: GraphQLSchema): GraphQLSchema;
  /** Who reads each plugin event type (`buildSchema`'s `eventReaders`, and webhook deliveries). */
  readonly eventReaders: EventReaders;
  /** The plugins' object declarations (composed with core's into the schema's object catalog). */
  readonly objects: readonly ObjectDeclaration[];
  /** The dashboard panels the plugins ship, each with its module file and the path the gateway serves it at. */
  readonly panels: readonly (HostedPanel & { path: string })[];
  /** Runs plugins' hooks inside core commands' transactions. */
  readonly commitHook: CommitHook;
  /** Plugins' merge, export and erasure of customers' data (the command runner's `personalData`). */
  readonly personalData: readonly PersonalDataExtension[];
  /** Plugins' stored things that name custom fields (the command runner's `fieldUsage`). */
  readonly fieldUsage: readonly FieldUsageExtension[];
  /** Starts delivering committed events to subscribers, the jobs and the queue workers. */
  start(options: DeliveryOptions): PluginRuntime;
  /** What every plugin shares: records of the composed object model and the plugins' actions. */
  readonly services: HostServices;
  /** Fills a workspace with each plugin's demo data (after core's). */
  seed(prisma: PrismaClient, workspaceId: string, options?: { seed?: number }): Promise<void>;
}

export interface CreatePluginHostOptions {
  /** @default the installed @crm/core's version */
  coreVersion?: string;
  /** Problems found while loading (unknown ids in CRM_PLUGINS, modules that fail to import), reported together. */
  problems?: readonly PluginProblem[];
  /** Where each plugin was loaded from (`loadPlugins`), so that a clash names both packages. */
  origins?: Origins;
}

/** Checks and composes plugins; throws {@link PluginHostError} listing every problem. */
export function createPluginHost(plugins: readonly Plugin[], options: CreatePluginHostOptions = {}): PluginHost {
  const problems: PluginProblem[] = [...(options.problems ?? [])];
  for (const plugin of plugins) problems.push(...plugin.problems);
  checkIdentity(plugins, options.coreVersion ?? coreVersion(), problems, options.origins);
  const ordered = dependencyOrder(plugins, problems);
  checkEvents(ordered, problems);
  checkModels(ordered, problems);
  for (const plugin of ordered) checkData(plugin, problems);
  checkActionsAndQueues(ordered, problems);
  // GraphQL is checked whatever else is wrong: the author sees every problem in one go.
  const before = problems.length;
  const contributions = graphqlContributions(ordered, problems);
  // Together, once more, when two or more plugins add to the schema (with one, its own build above was that).
  if (problems.length === before && contributions.length > 1 && new Set(ordered.map((p) => p.id)).size === ordered.length) {
    checkGraphqlTogether(ordered, problems);
  }
  if (problems.length) throw new PluginHostError(problems);

  const switchboard = new PluginSwitchboard();
  // The plugins' objects that take custom fields, by name → plugin: definitions on them follow the plugin's switch.
  const customFieldObjects = new Map(ordered.flatMap((p) => p.objects.filter((o) => o.customFields).map((o) => [o.name, p.id] as const)));
  let runtime: PluginRuntime | null = null;

  const migrations = ordered.flatMap((p) => (p.paths.migrations ? readMigrationsFolder(p.paths.migrations, p.id) : []));
  const services: HostServices = {
    objects: createRecordAccess(ordered.flatMap((p) => p.objects)),
    actions: ordered.flatMap((p) => p.actions),
    events: eventCatalog(ordered),
  };
  return {
    services,
    plugins: ordered,
    migrations,
    objects: ordered.flatMap((p) => p.objects),
    eventReaders: eventReaders(ordered),
    panels: ordered.flatMap((p) => p.panels.map((panel) => ({ ...panel, plugin: p.id, path: panelPath(p.id, panel.id) }))),
    extendSchema(builder) {
      if (!ordered.length) return; // no plugins: no trace in the schema
      registerPluginAdmin(builder, ordered);
      registerPluginDeliveries(builder, ordered, () => runtime);
      registerDashboardPanels(builder, ordered, switchboard);
      for (const plugin of ordered) plugin.registerGraphql?.(builder, services);
    },
    guardSchema(schema) {
      guardPluginFields(schema, contributions, switchboard);
      guardCustomFieldDefinitions(schema, customFieldObjects, switchboard);
      return schema;
    },
    commitHook: commitHookFor(ordered),
    personalData: personalDataExtensionsFor(ordered),
    fieldUsage: fieldUsageExtensionsFor(ordered),
    start: (delivery) => (runtime = startDelivery(ordered, { ...delivery, services })),
    async seed(prisma, workspaceId, seedOptions = {}) {
      const db = scopeToWorkspace(prisma, workspaceId);
      // Core rows a seed makes go through the core's commands; their events wait in the outbox for a gateway.
      const runner = new CommandRunner({ prisma, beforeCommit: [commitHookFor(ordered)] });
      for (const plugin of ordered) {
        if (!plugin.seed) continue;
        const settings = await readStoredSettings(db, workspaceId, plugin.id);
        const caller = runner.callerFor(pluginSession(workspaceId, plugin.id));
        await plugin.seed({ workspaceId, db, settings, caller, random: seededRandom((seedOptions.seed ?? 2026) + hash(plugin.id)) });
      }
    },
  };
}

/**
 * A queue's model is one of its plugin's own tables (the worker's SQL names that table), whose `id` is unique by
 * itself: the claim and the pause find rows by `id` alone, so an id unique only with another column (`@@id([workspaceId,
 * id])`) would lease or put off another workspace's row of the same id.
 */
function checkActionsAndQueues(plugins: readonly Plugin[], problems: PluginProblem[]) {
  for (const plugin of plugins) {
    for (const queue of plugin.queues) {
      const model = queueModel(plugin, queue);
      const path = `queues.${queue.name}.model`;
      if (!model) problems.push({ plugin: plugin.id, path, message: `${queue.model} is not a model of the plugin's schema fragment` });
      else if (!model.idUnique) {
        problems.push({
          plugin: plugin.id,
          path,
          message: `${queue.model}'s id must be unique by itself (@id or @unique on id alone): queue "${queue.name}" claims its rows by id`,
        });
      }
    }
  }
}

/** A host with no plugins: the gateway's default when it is given none. */
export const emptyPluginHost = (): PluginHost => createPluginHost([]);


function hash(text: string): number {
  let h = 0;
  for (const char of text) h = (h * 31 + char.charCodeAt(0)) | 0;
  return h;
}

/** mulberry32: small, fast, deterministic. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
