// Errors that name the plugin: a veto with a plugin-defined reason, and the coded failure a plugin's bug becomes.
import { CrmError, type CrmErrorCode, fromPrismaError, isCrmError } from '@crm/core';

const REASON = /^[A-Z][A-Z0-9_]*$/;

export interface VetoOptions {
  /** @default 'CONFLICT' */
  code?: Extract<CrmErrorCode, 'CONFLICT' | 'BAD_USER_INPUT' | 'FORBIDDEN' | 'NOT_FOUND'>;
  /** The input field at fault (`extensions.field`). */
  field?: string;
}

/**
 * Refuses a command with a reason of your own that the client can branch on (`extensions.reason`), e.g.
 * `throw veto('CREDIT_HOLD', 'This customer is on credit hold')`. The reason is UPPER_SNAKE_CASE.
 */
export function veto(reason: string, message: string, options: VetoOptions = {}): CrmError {
  if (!REASON.test(reason)) throw new TypeError(`veto reason must be UPPER_SNAKE_CASE, e.g. "CREDIT_HOLD" (got ${JSON.stringify(reason)})`);
  return new CrmError(options.code ?? 'CONFLICT', message, options.field, { reason });
}

/**
 * What the client sees when a plugin's handler throws: a CrmError (a veto) keeps its code and message and gains
 * `extensions.plugin`; anything else (a TypeError, a bug) becomes `PLUGIN_FAILED` naming the plugin and the handler,
 * with the original error as its `cause` (logged by the gateway, never shown). A `PLUGIN_FAILED` the plugin's code
 * caused otherwise (the SDK refused its statement or write: `PluginSqlError`; its misuse of the host) keeps its message
 * and gains the handler too; one naming another plugin (an action of that plugin's failed) is left as it is.
 */
export function attributed(pluginId: string, handler: string, thrown: unknown): CrmError {
  // A unique violation or a missing row in the plugin's own writes is a conflict, as it is for the core.
  const error = fromPrismaError(thrown);
  if (isCrmError(error)) {
    const named = error.extensions?.plugin;
    const ownFailure = error.code === 'PLUGIN_FAILED' && (named === undefined || named === pluginId) && error.extensions?.handler === undefined;
    if (named !== undefined && !ownFailure) return error;
    const extensions = { ...error.extensions, plugin: pluginId, ...(ownFailure ? { handler } : {}) };
    return Object.assign(new CrmError(error.code, error.message, error.field, extensions), { name: error.name, stack: error.stack });
  }
  const failed = new CrmError('PLUGIN_FAILED', `The ${pluginId} plugin failed in ${handler}; nothing was changed`, undefined, { plugin: pluginId, handler });
  failed.cause = error;
  return failed;
}

/** A plugin broke a rule of the host (e.g. emitted an event it does not own): its bug, reported as PLUGIN_FAILED. */
export function pluginMisuse(pluginId: string, message: string): CrmError {
  return new CrmError('PLUGIN_FAILED', `The ${pluginId} plugin ${message}`, undefined, { plugin: pluginId });
}
