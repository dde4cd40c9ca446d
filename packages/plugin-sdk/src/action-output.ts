// An action's declared output (`actions.<name>.output`, a zod object, optional): read by callers ahead, as its input is
// (a workflow's `{{steps.<id>.output.<key>}}` checked at publish by `ActionInfo.output`), and held to by the host: what
// the action returns is parsed with it before the caller sees it. A value it refuses is the plugin's bug, not the
// caller's: PLUGIN_FAILED naming the plugin and the action, thrown inside the call's savepoint (action-caller.ts) so
// that nothing the action wrote is kept. An action without one returns whatever it returns (untyped to its callers).
import { CrmError } from '@crm/core';
import type { z } from 'zod';

/** `extensions.reason` of the error an action's undeclared output becomes. */
export const ACTION_OUTPUT_MISMATCH = 'ACTION_OUTPUT_MISMATCH';

/** Why `schema` cannot declare an output (only a zod object names the keys a caller may read), or null. */
export function outputSchemaProblem(schema: unknown): string | null {
  const shape = (schema as { shape?: unknown } | null)?.shape;
  const parses = typeof (schema as { safeParse?: unknown } | null)?.safeParse === 'function';
  return parses && typeof shape === 'object' && shape !== null ? null : 'a zod object of what it returns, e.g. z.object({ balance: z.number() })';
}

/** What `run` returned, parsed with the declared output (as returned when none is declared). */
export function checkedOutput(plugin: string, action: string, schema: z.ZodType | undefined, returned: Record<string, unknown>): Record<string, unknown> {
  if (!schema) return returned;
  const parsed = schema.safeParse(returned);
  if (parsed.success) return parsed.data as Record<string, unknown>;
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
  throw new CrmError(
    'PLUGIN_FAILED',
    `The ${plugin} plugin's action ${action} returned what its declared output refuses (${where}${issue?.message ?? 'not its shape'}); nothing it did was kept`,
    undefined,
    { plugin, action: `${plugin}.${action}`, reason: ACTION_OUTPUT_MISMATCH },
  );
}
