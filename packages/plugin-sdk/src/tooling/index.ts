// Tooling for the `crm plugin …` commands: scaffold, client regeneration, plugin migrations, packing, the config file.
// A separate entry so the gateway never loads the schema-engine tooling.
export { isInside, scaffoldPlugin, type ScaffoldOptions, type ScaffoldResult, type SdkSource } from './scaffold.js';
export { dbPackageDir, regenerateClient, regenerateClientDeclarations, type RegenerateClientOptions, type RegenerateClientResult } from './client.js';
export { createMigrationFor, pluginFolder, type PluginFolder } from './migration.js';
export { packPublishedPackages, publishedPackages } from './pack.js';
export { addToConfig } from './config-file.js';
export { findClashes, type InstalledPlugin } from './clashes.js';
