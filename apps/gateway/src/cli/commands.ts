import type { CliCommand } from './command.js';

/**
 * Every command, by the words that select it, in the order the overall help lists them. A command's module (and the
 * packages it needs: core, graph, the plugin host) is imported only when that command runs, so a cheap command or a
 * usage mistake does not pay for loading the whole gateway.
 */
export const commandLoaders: Record<string, () => Promise<CliCommand>> = {
  'workspace create': async () => (await import('./workspace.js')).workspaceCreate,
  'workspace list': async () => (await import('./workspace.js')).workspaceList,
  'apikey create': async () => (await import('./apikey.js')).apikeyCreate,
  'apikey revoke': async () => (await import('./apikey.js')).apikeyRevoke,
  seed: async () => (await import('./seed.js')).seed,
  migrate: async () => (await import('./migrate.js')).migrate,
  'import orders': async () => (await import('./import.js')).importOrdersCommand,
  export: async () => (await import('./export.js')).exportCommand,
  import: async () => (await import('./import-records.js')).importRecordsCommand,
  'analytics fit': async () => (await import('./analytics.js')).analyticsFit,
  'plugin new': async () => (await import('./plugin.js')).pluginNew,
  'plugin add': async () => (await import('./plugin.js')).pluginAdd,
  'plugin list': async () => (await import('./plugin.js')).pluginList,
  'plugin migration': async () => (await import('./plugin.js')).pluginMigration,
  'documents manifest': async () => (await import('./documents.js')).documentsManifest,
  'plugin generate': async () => (await import('./plugin.js')).pluginGenerate,
  'plugin dev': async () => (await import('./plugin-dev.js')).pluginDev,
  'plugin pack': async () => (await import('./plugin.js')).pluginPack,
  'client generate': async () => (await import('./client-generate.js')).clientGenerate,
  'custom-fields reindex': async () => (await import('./custom-fields-reindex.js')).customFieldsReindex,
  'plugin deliveries': async () => (await import('./plugin-deliveries.js')).pluginDeliveries,
  'plugin redeliver': async () => (await import('./plugin-deliveries.js')).pluginRedeliver,
};
