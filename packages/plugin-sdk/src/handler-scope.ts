// What every handler of a plugin gets in its transaction (hooks, actions, subscribers, jobs, queue and route
// transactions, personal-data handlers): declared once here. Each context type extends it, and `definePlugin`'s wrapper
// builds it typed by it (`PluginTools`), so what the host passes and what a plugin's author sees cannot drift apart.
import type { Session } from '@crm/core';
import type { ScopedTransaction } from '@crm/db';
import type { ActionCaller } from './actions.js';
import type { CoreCommands } from './core-commands.js';
import type { OwnEmit } from './events.js';
import type { OwnRows } from './own-rows.js';
import type { PluginSql } from './plugin-sql.js';
import type { RecordObjects } from './record-writes.js';

/** The plugin's tools over a transaction, which `definePlugin`'s wrapper adds to what the host passes. */
export interface PluginTools<Event extends string = string> {
  /**
   * Records one of the plugin's own events (declared in `events`) in the same transaction (published after commit). A
   * core event or another plugin's is refused (`PLUGIN_FAILED`).
   */
  emit: OwnEmit<Event>;
  /** The core's commands in this transaction, with the core's validation, role checks and events (see {@link CoreCommands}). */
  commands: CoreCommands;
  /** One read-only SQL statement in the workspace, inside `tx` (see {@link PluginSql}). */
  sql: PluginSql;
  /** Writes of the plugin's own models in one statement, inside `tx` (see {@link OwnRows}): bookkeeping paid per batch. */
  rows: OwnRows;
  /** Records of every declared object, the filter language, which record change an event is, and creating records. */
  objects: RecordObjects;
  /** Calls an action another plugin declares (`actions`), inside `tx`. */
  actions: ActionCaller;
}

/** A handler's transaction, its session and the plugin's settings, with the plugin's tools in it. */
export interface HandlerScope<Settings, Event extends string = string> extends PluginTools<Event> {
  /** Workspace-scoped transaction: what the handler writes commits or rolls back with it. */
  tx: ScopedTransaction;
  session: Session;
  /** The workspace's settings of this plugin (defaults filled in). */
  settings: Settings;
}

/** The keys of {@link PluginTools} the host does not pass (the wrapper builds them; `emit` it narrows). */
export type WrapperBuilt = Exclude<keyof PluginTools, 'emit'>;
