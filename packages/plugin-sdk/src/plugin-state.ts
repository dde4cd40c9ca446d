// A plugin's state in one workspace, read in one query: whether it is switched on, since when, and its stored
// settings. Switches live in `Workspace.settings.pluginSwitches.<id>` (`{ enabled, changedAt }`); a plugin with no
// switch is on. Written with jsonb_set so that other owners of Workspace.settings keep their keys.
import type { ScopedPrisma, ScopedTransaction } from '@crm/db';

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

/** Switches a plugin on or off in a workspace, inside the command's transaction. */
export async function writePluginSwitch(tx: ScopedTransaction, workspaceId: string, pluginId: string, enabled: boolean): Promise<void> {
  const value = JSON.stringify({ enabled, changedAt: new Date().toISOString() });
  await tx.$executeRaw`
    UPDATE "Workspace"
    SET settings = jsonb_set(
      CASE WHEN jsonb_typeof(settings) = 'object' THEN settings ELSE '{}'::jsonb END,
      '{pluginSwitches}',
      CASE WHEN jsonb_typeof(settings -> 'pluginSwitches') = 'object' THEN settings -> 'pluginSwitches' ELSE '{}'::jsonb END
        || jsonb_build_object(${pluginId}::text, ${value}::jsonb)
    ), "updatedAt" = now()
    WHERE id = ${workspaceId}::uuid`;
}
