// Where plugin settings live: `Workspace.settings.plugins.<pluginId>` (JSON). Read through the workspace-scoped
// client; written with jsonb_set so that other owners of Workspace.settings (analytics, …) keep their keys.
import type { ScopedPrisma, ScopedTransaction } from '@crm/db';

type Reader = Pick<ScopedPrisma | ScopedTransaction, 'workspace'>;

/** The stored (raw, unvalidated) settings of one plugin in one workspace; undefined when never set. */
export async function readStoredSettings(db: Reader, workspaceId: string, pluginId: string): Promise<unknown> {
  const row = await db.workspace.findUnique({ where: { id: workspaceId }, select: { settings: true } });
  const settings = row?.settings;
  if (!settings || typeof settings !== 'object' || Array.isArray(settings)) return undefined;
  const plugins = (settings as Record<string, unknown>).plugins;
  if (!plugins || typeof plugins !== 'object' || Array.isArray(plugins)) return undefined;
  return (plugins as Record<string, unknown>)[pluginId];
}

/** Stores one plugin's settings (already validated) inside the command's transaction. */
export async function writeStoredSettings(tx: ScopedTransaction, workspaceId: string, pluginId: string, value: object): Promise<void> {
  await tx.$executeRaw`
    UPDATE "Workspace"
    SET settings = jsonb_set(
      CASE WHEN jsonb_typeof(settings) = 'object' THEN settings ELSE '{}'::jsonb END,
      '{plugins}',
      CASE WHEN jsonb_typeof(settings -> 'plugins') = 'object' THEN settings -> 'plugins' ELSE '{}'::jsonb END
        || jsonb_build_object(${pluginId}::text, ${JSON.stringify(value)}::jsonb)
    ), "updatedAt" = now()
    WHERE id = ${workspaceId}::uuid`;
}
