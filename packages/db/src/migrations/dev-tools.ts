// Developer tooling (creating and checking migrations with Prisma's WASM schema engine), kept out of the main entry
// so the gateway never loads it.
export { coreSchemaFiles, createMigration, diffMigrationsToSchema, type DevToolOptions } from './dev-tool.js';
export { createPluginMigration, diffPluginMigrations, type PluginDiffOptions, type PluginSchemaSource } from './plugin-migrations.js';
