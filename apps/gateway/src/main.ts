#!/usr/bin/env node
// `npm start`: opens (and migrates) the configured database, creates the demo workspace on an empty one, serves
// GraphQL, and shuts down gracefully on SIGTERM/SIGINT.
import { DataDirInUseError, databaseConfigFromEnv, describeDatabase, openDatabase } from '@crm/db';
import { ensureDemoWorkspace } from './demo-workspace.js';
import { createGateway } from './gateway.js';
import { createLogger, describeError } from './logger.js';

const logger = createLogger();
const config = databaseConfigFromEnv();
const port = Number(process.env.PORT ?? 4000);
const host = process.env.HOST ?? '127.0.0.1';

let database;
try {
  const started = Date.now();
  database = await openDatabase(config);
  logger.info('database ready', { database: describeDatabase(config), ms: Date.now() - started });
} catch (error) {
  console.error(error instanceof DataDirInUseError ? error.message : `Cannot open the ${describeDatabase(config)}: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}

const demo = await ensureDemoWorkspace(database, config);
const gateway = createGateway({ database, logger });
const url = await gateway.listen(port, host);

const banner = [
  '',
  `  CRM gateway on ${describeDatabase(config)}`,
  `  GraphQL:   ${url}/graphql   (GraphiQL in a browser)`,
];
if (demo?.apiKey) {
  banner.push(
    `  Demo workspace${demo.created ? ' created' : ''}: ADMIN API key ${demo.apiKey}`,
    '',
    '  Try:',
    `  curl -s ${url}/graphql -H 'authorization: Bearer ${demo.apiKey}' -H 'content-type: application/json' \\`,
    `    -d '{"query":"{ customers(first: 3) { totalCount edges { node { name lifecycleStage lifetimeValue } } } }"}'`,
  );
} else if (demo === null) {
  banner.push('  Create a workspace and its key: npm run crm -- workspace create --name NAME (with the gateway stopped on the embedded database)');
}
console.log(`${banner.join('\n')}\n`);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info('shutting down', { signal });
  try {
    await gateway.close(10_000);
    await database!.close();
    process.exit(0);
  } catch (error) {
    logger.error('shutdown failed', describeError(error));
    process.exit(1);
  }
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
