import { literal } from './sql-text.js';

/**
 * The plugins among `plugins` switched off in the workspace whose id is the placeholder `workspace`, as a text array
 * (read in the engine's own statement, so the switch costs no round trip). The switches are kept where the plugin
 * SDK writes them (`Workspace.settings.pluginSwitches.<id>.enabled`, plugin-sdk's plugin-state.ts): a plugin without
 * a switch is on. A switched-off plugin's objects are never answered by the engine: the operation runs through the
 * resolvers, whose guard refuses them as it does on that path (plugin-switch.ts).
 */
export function switchedOffSql(plugins: readonly string[], workspace: string): string {
  const offs = plugins.map((id) => `CASE WHEN w."settings" #> ${literal(`{pluginSwitches,${id},enabled}`)} = 'false'::jsonb THEN ${literal(id)} END`);
  return `(SELECT array_remove(ARRAY[${offs.join(', ')}]::text[], NULL) FROM "Workspace" w WHERE w."id" = ${workspace})`;
}
