// A plugin's state in one workspace, read in one query: whether it is switched on, since when, and its stored
// settings. Switches live in `Workspace.settings.pluginSwitches.<id>` (`{ enabled, changedAt }`); a plugin with no
// switch is on. Written with jsonb_set so that other owners of Workspace.settings keep their keys.
import { queryRawIn, type ScopedPrisma, type ScopedTransaction } from '@crm/db';

type Reader = Pick<ScopedPrisma | ScopedTransaction, 'workspace'>;

export interface PluginSwitch {
  enabled: boolean;
  /** When it was last switched (null: never, it has been on since it was installed). */
  changedAt: Date | null;
}

export interface PluginState extends PluginSwitch {
  /** The stored (raw, unvalidated) settings; undefined when never set. */
  settings: unknown;
}

const record = (value: unknown): Record<string, unknown> | undefined =>
  value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;

/** Reads the part of `Workspace.settings` that belongs to plugins. */
export function pluginStateOf(settings: unknown, pluginId: string): PluginState {
  const all = record(settings);
  const switched = record(record(all?.pluginSwitches)?.[pluginId]);
  const changedAt = typeof switched?.changedAt === 'string' ? new Date(switched.changedAt) : null;
  return { enabled: switched?.enabled !== false, changedAt, settings: record(all?.plugins)?.[pluginId] };
}

export async function readPluginState(db: Reader, workspaceId: string, pluginId: string): Promise<PluginState> {
  const row = await db.workspace.findUnique({ where: { id: workspaceId }, select: { settings: true } });
  return pluginStateOf(row?.settings, pluginId);
}

/** Every plugin's state in a workspace (one query for a command's hooks). */
export async function readPluginStates(db: Reader, workspaceId: string): Promise<(pluginId: string) => PluginState> {
  const row = await db.workspace.findUnique({ where: { id: workspaceId }, select: { settings: true } });
  return (pluginId) => pluginStateOf(row?.settings, pluginId);
}

/** The switch's time: the statement's, rounded to the millisecond as `Event.occurredAt` (timestamptz(3)) is. */
const SWITCHED_AT = 'statement_timestamp()::timestamptz(3)';
/** The same, as it is kept in the JSON: ISO 8601 in UTC, as `Date#toISOString` writes it. */
const SWITCHED_AT_TEXT = `to_char(${SWITCHED_AT} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * Switches a plugin on or off in a workspace, inside the command's transaction, and answers the switch's time. That
 * time is the database's (the statement's `statement_timestamp()`, to the millisecond as an event's `occurredAt` is
 * stored), never the gateway's clock: delivery compares it with events' `occurredAt` (the database's too) to leave out
 * the events of before the switch-on, and a skewed gateway clock moved that line by its skew
 * (docs/plugins/architecture.md, "Switching a plugin off per workspace").
 */
export async function writePluginSwitch(tx: ScopedTransaction, workspaceId: string, pluginId: string, enabled: boolean): Promise<Date> {
  const [row] = await queryRawIn<{ changedAt: Date }>(
    tx,
    `UPDATE "Workspace"
     SET settings = jsonb_set(
       CASE WHEN jsonb_typeof(settings) = 'object' THEN settings ELSE '{}'::jsonb END,
       '{pluginSwitches}',
       CASE WHEN jsonb_typeof(settings -> 'pluginSwitches') = 'object' THEN settings -> 'pluginSwitches' ELSE '{}'::jsonb END
         || jsonb_build_object($2::text, jsonb_build_object('enabled', $3::boolean, 'changedAt', ${SWITCHED_AT_TEXT}))
     ), "updatedAt" = now()
     WHERE id = $1::uuid
     RETURNING ${SWITCHED_AT} AS "changedAt"`,
    workspaceId,
    pluginId,
    enabled,
  );
  if (!row) throw new Error(`writePluginSwitch: no workspace ${workspaceId}`);
  return new Date(row.changedAt);
}
