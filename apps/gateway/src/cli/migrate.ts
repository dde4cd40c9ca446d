import { pluginHostFromEnvironment } from '@crm/plugin-sdk/host';
import { options } from './args.js';
import type { CliCommand } from './command.js';

export const migrate: CliCommand = {
  summary: 'applies pending migrations to the configured database',
  usage: '',
  help: [
    'Prints {"applied":[names…],"alreadyApplied":N}. Safe to run while gateways run on PostgreSQL (an advisory lock',
    'makes concurrent runs apply each migration once). The gateway and the other commands also migrate when they start.',
    "Core's migrations first, then those of the enabled plugins (CRM_PLUGINS / crm.config.json), named <plugin>/<folder>.",
  ].join('\n'),
  prepare(argv) {
    options(argv, {});
    // Open without migrating, so this command is the one that applies them and can report what it applied.
    return {
      migrate: false,
      async run(database) {
        const { host } = await pluginHostFromEnvironment();
        return database.migrate(host.migrations);
      },
    };
  },
};
