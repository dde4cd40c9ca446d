// Tooling for the `crm plugin …` commands: scaffold, client regeneration, plugin migrations, the config file.
// A separate entry so the gateway never loads the schema-engine tooling.
export { scaffoldPlugin, type ScaffoldOptions, type ScaffoldResult } from './scaffold.js';
export { regenerateClient } from './client.js';
export { createMigrationFor } from './migration.js';
export { addToConfig } from './config-file.js';
