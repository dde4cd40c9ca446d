// Actions: what a plugin offers other plugins to do, called by name inside the caller's transaction (in a savepoint).
import type { Role } from '@crm/db';
import type { z } from 'zod';
import type { ActionInputField } from './action-input.js';
import type { HookContext } from './events.js';
import type { ActingRole } from './record-writes.js';
import type { PluginLock } from './plugin-lock.js';

/**
 * Something a plugin offers other plugins to do (loyalty: award points), declared in `actions` and called by name
 * (`loyalty.awardPoints`) through `actions.call` in another plugin's subscriber, job or queue transaction. It runs
 * inside the caller's transaction, so the caller's own rows and the action's commit or roll back together; each call
 * in a savepoint of it, so an action that fails (throws, or returns what its `output` refuses) leaves nothing, neither
 * rows nor events, even when the caller catches the error and goes on.
 */
export interface ActionDefinition<Settings, Event extends string = string, Input = unknown, Output extends Record<string, unknown> = Record<string, unknown>> {
  description?: string;
  /**
   * Validates the input (BAD_USER_INPUT with the field when it does not parse). A zod object. An id key (a uuid) says
   * the object whose records it names with `.meta({ object: 'Customer' })`; else a caller reads it from the key's name
   * (`customerId`: a Customer's).
   */
  input: z.ZodType<Input>;
  /** Running it twice with the same input has the effect of running it once (callers may then retry it). @default false */
  idempotent?: boolean;
  /**
   * The plugin permission (one of its `permissions`) a caller acting as a role must hold for it to run: what a key
   * would need to do the same by hand (loyalty's `awardPoints`: `adjustPoints`). @default none: any caller
   */
  permission?: string;
  /**
   * What it returns, a zod object: callers read its keys ahead (a workflow's `{{steps.<id>.output.balance}}` is checked
   * at publish, typed by what each key gives: after a transform, null when `.nullable()` or `.optional()`), and the host
   * parses what `run` returned with it (a value it refuses fails the call: PLUGIN_FAILED, `extensions.reason`
   * ACTION_OUTPUT_MISMATCH; nothing the action did is kept). An id it returns says its object,
   * `z.uuid().meta({ object: 'LoyaltyAccount' })`: one that says none, and whose name names no object, is an id of no
   * known object to callers (not taken where a Customer's id is needed).
   * @default none: untyped, any key passes a caller's check and reads as what `run` returned
   */
  output?: z.ZodType<Output>;
  /** Does it; returns a JSON object the caller may use (ids of what it made). */
  run(input: Input, context: ActionContext<Settings, Event>): Promise<Output>;
}

/** What an action runs with: the caller's transaction and session, its plugin's settings, and its plugin's locks. */
export interface ActionContext<Settings, Event extends string = string> extends HookContext<Settings, Event> {
  /**
   * Waits for, then holds until the caller's transaction ends, the action's plugin's lock on `key` in the workspace:
   * the same lock as `lock(key)` in the plugin's commands, so an action and a command doing the same thing (an offer
   * under a cap) run one after the other.
   */
  lock: PluginLock;
}

/** Calls other plugins' actions by their full name, `<plugin>.<action>`. */
export interface ActionCaller {
  /** The actions of the enabled plugins. */
  readonly available: readonly ActionInfo[];
  /**
   * Runs an action in the current transaction (in a savepoint: when it throws, what it wrote and the events it raised
   * are undone, and the transaction goes on), as the current session. `NOT_FOUND` when no enabled plugin declares
   * it, `FORBIDDEN` (`extensions.reason: PLUGIN_DISABLED`) when its plugin is switched off in the workspace. With
   * `as`, the role (a custom role's current grants, a key's scopes) must hold the action's `permission` (FORBIDDEN),
   * and the action runs as that role: its session, and the transaction narrowed to the rows the role may see and write
   * (own records only, hidden objects), so a record the role cannot see is NOT_FOUND to the action.
   */
  call(name: string, input: unknown, options?: { as?: ActingRole }): Promise<Record<string, unknown>>;
}

/** An action as callers see it. */
export interface ActionInfo {
  /** `<plugin>.<action>`, e.g. `loyalty.awardPoints`. */
  readonly name: string;
  readonly plugin: string;
  readonly description: string | null;
  readonly idempotent: boolean;
  /** The top-level keys its input takes (from its zod object), for checking a caller's input before it runs. */
  readonly inputKeys: readonly string[];
  /**
   * Each of those keys as its schema declares it: the kind of value (a uuid is an `id`), whether it is required, and
   * its rule (`problem(value)`), so a caller checks values ahead (a workflow's `callAction` step, when published).
   */
  readonly input: Readonly<Record<string, ActionInputField>>;
  /**
   * Each key of its declared output, described as input keys are but by what it gives (`problem` unused; `required`:
   * always given, `nullable`: may be null or left out); null: no output declared (untyped).
   */
  readonly output: Readonly<Record<string, ActionInputField>> | null;
  /** The plugin permission a role acting through it must hold, with the built-in roles that hold it; null: none. */
  readonly permission: { readonly name: string; readonly roles: readonly Role[] } | null;
}
