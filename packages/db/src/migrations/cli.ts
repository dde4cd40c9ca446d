#!/usr/bin/env node
// Developer tool: `create <name>` writes a new core migration from the schema; `check` fails when the schema and
// the migrations folder disagree. Uses DATABASE_URL's server for shadow databases when set (fast).
import { createMigration, diffMigrationsToSchema } from './dev-tool.js';

const [command, name] = process.argv.slice(2);
const options = process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : {};
try {
  if (command === 'create' && name) {
    const folder = await createMigration(name, options);
    console.log(folder ? `Created ${folder}` : 'The schema matches the migrations: nothing to create.');
  } else if (command === 'check') {
    const sql = await diffMigrationsToSchema(options);
    if (sql) {
      console.error(`The schema and the migrations disagree. Run 'npm run migration:create -w @crm/db -- <name>'. Missing:\n${sql}`);
      process.exitCode = 1;
    } else console.log('The schema and the migrations agree.');
  } else {
    console.error('usage: cli.js create <name> | check');
    process.exitCode = 2;
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
// The WASM engine can keep a timer alive for ~10 s after lock-taking commands.
process.exit();
