// Developer tooling (creating and checking migrations with Prisma's WASM schema engine), kept out of the main entry
// so the gateway never loads it.
export { coreSchemaFiles, createMigration, diffMigrationsToSchema, type DevToolOptions } from './dev-tool.js';
export { createPluginMigration, diffPluginMigrations, type CreatedPluginMigration, type PluginDiffOptions, type PluginSchemaSource } from './plugin-migrations.js';
export { coreReferences, type CoreReference, type CoreReferences } from './core-references.js';
