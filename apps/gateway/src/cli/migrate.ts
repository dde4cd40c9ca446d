import { options } from './args.js';
import type { CliCommand } from './command.js';

export const migrate: CliCommand = {
  name: 'migrate',
  summary: 'applies pending migrations to the configured database',
  usage: '',
  help: [
    'Prints {"applied":[names…],"alreadyApplied":N}. Safe to run while gateways run on PostgreSQL (an advisory lock',
    'makes concurrent runs apply each migration once). The gateway and the other commands also migrate when they start.',
  ].join('\n'),
  prepare(argv) {
    options(argv, {});
    // Open without migrating, so this command is the one that applies them and can report what it applied.
    return { migrate: false, run: (database) => database.migrate() };
  },
};
