import { seedWorkspace } from '@crm/core';
import { pluginHostFromEnvironment } from '@crm/plugin-sdk/host';
import { date, id, options, required, wholeNumber } from './args.js';
import type { CliCommand } from './command.js';
import { progressBar } from './progress.js';
import { assertWorkspace } from './workspace.js';

export const seed: CliCommand = {
  summary: 'fills a workspace with synthetic customers, orders, interactions, deals, tickets and campaigns',
  usage: '--workspace ID --customers N [--seed S] [--as-of DATE]',
  help: [
    'Prints {"workspaceId", rows written per kind…, "durationMs"}; a progress bar on stderr when it is a terminal.',
    'Can run again on the same workspace: new customers come after the existing ones and the catalog is reused.',
    '',
    '  --workspace ID   the workspace (required)',
    '  --customers N    how many customers to add, 1 to 1,000,000 (required)',
    '  --seed S         same seed and as-of date, same data (default 1)',
    '  --as-of DATE     the "today" of the two-year history, e.g. 2026-06-30 (default today, UTC)',
  ].join('\n'),
  prepare(argv) {
    const args = options(argv, { workspace: { type: 'string' }, customers: { type: 'string' }, seed: { type: 'string', default: '1' }, 'as-of': { type: 'string' } });
    const workspaceId = id(args.workspace, 'workspace');
    const customers = wholeNumber(required(args.customers, 'customers'), 'customers', { min: 1, max: 1_000_000 });
    const seedValue = wholeNumber(args.seed ?? '1', 'seed', { max: 2 ** 32 - 1 });
    const asOf = args['as-of'] === undefined ? undefined : date(args['as-of'], 'as-of');
    return {
      async run(database) {
        await assertWorkspace(database, workspaceId);
        const bar = progressBar('seeding');
        bar.update(0, customers);
        const started = Date.now();
        try {
          const summary = await seedWorkspace(database.prisma, workspaceId, {
            customers,
            seed: seedValue,
            asOf,
            onProgress: (p) => bar.update(p.customersWritten, p.customers),
          });
          // Then each enabled plugin's demo data (their tables first: the plugins' migrations).
          const { host } = await pluginHostFromEnvironment();
          await database.migrate(host.migrations);
          await host.seed(database.prisma, workspaceId, { seed: seedValue });
          return { workspaceId, ...summary, plugins: host.plugins.map((p) => p.id), durationMs: Date.now() - started };
        } finally {
          bar.done();
        }
      },
    };
  },
};
