#!/usr/bin/env node
// The `crm` command: `npm run crm -- <command> [options]`. Each command prints one JSON line on stdout; progress and
// errors go to stderr. Exit codes: 0 done, 1 failed, 2 usage error.
import { DataDirInUseError, databaseConfigFromEnv, describeDatabase, openDatabase } from '@crm/db';
import { UsageError } from './args.js';
import { commands } from './commands.js';

function help(): string {
  return [
    'usage: npm run crm -- <command> [options]',
    '',
    ...Object.values(commands).map((c) => `  ${c.usage}`),
    '',
    'The database comes from the environment: DATABASE_URL (PostgreSQL) or CRM_DATA_DIR (embedded, default ./.crm-data).',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  if (!argv.length || argv[0] === '--help' || argv[0] === 'help') {
    console.log(help());
    return argv.length ? 0 : 2;
  }
  const name = commands[`${argv[0]} ${argv[1]}`] ? `${argv[0]} ${argv[1]}` : argv[0]!;
  const command = commands[name];
  if (!command) {
    console.error(`Unknown command: ${argv.slice(0, 2).join(' ')}\n\n${help()}`);
    return 2;
  }
  const rest = argv.slice(name.split(' ').length);
  if (rest.includes('--help')) {
    console.log(`usage: npm run crm -- ${command.usage}`);
    return 0;
  }
  const config = databaseConfigFromEnv();
  let database;
  try {
    // `migrate` applies migrations itself and reports them; the other commands migrate on open.
    database = await openDatabase(config, { migrate: name !== 'migrate' });
  } catch (error) {
    if (error instanceof DataDirInUseError) {
      console.error(error.message);
      return 1;
    }
    throw new Error(`Cannot open the ${describeDatabase(config)}: ${error instanceof Error ? error.message : error}`);
  }
  try {
    console.log(JSON.stringify(await command.run(rest, database)));
    return 0;
  } finally {
    await database.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n\n${help()}`);
      process.exit(2);
    }
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
