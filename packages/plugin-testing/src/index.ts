// @crm/plugin-testing: one call gives a plugin author a real gateway with their plugin (and the plugins it requires)
// on an in-memory database migrated with core's and the plugins' migrations.
export { preparePluginDatabase, startPluginTestGateway, type PluginTestGateway, type PluginTestOptions } from './plugin-test-gateway.js';
export { SqlRecorder, SubscriptionCollector, TestClient, type GraphQLResponse, type TestWorkspace } from '@crm/gateway/testing';
export { missingPluginMigrations } from './migration-check.js';
