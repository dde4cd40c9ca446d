import fs from 'node:fs/promises';
import { CommandRunner, importOrders, systemSession } from '@crm/core';
import { id, options, required, UsageError, wholeNumber } from './args.js';
import { type CliCommand, CommandError } from './command.js';
import { progressBar } from './progress.js';
import { assertWorkspace } from './workspace.js';

export const importOrdersCommand: CliCommand = {
  summary: 'imports purchase history from a CSV file (idempotent on orderRef)',
  usage: '--workspace ID --file F.csv [--batch-size N]',
  help: [
    'Prints {"imported","customersCreated","skipped","rejected","rows","errors":[{"line","field","message"}…],"errorCount","durationMs"}.',
    'Columns (header row): customer (email or external reference), orderedAt (ISO-8601 or YYYYMMDD), total;',
    'optional sku, quantity, orderRef. Rows sharing an orderRef are the lines of one order. Unknown customers are created.',
    'Each batch is one transaction: a batch with a bad row is not written (its lines are listed), the others are. Running',
    'the same file again changes nothing; after fixing the bad lines it imports only what was missing. Exit code 1 when',
    'any row was refused.',
    '',
    '  --workspace ID    the workspace (required)',
    '  --file F.csv      the file (required)',
    '  --batch-size N    rows per transaction (default 5000)',
  ].join('\n'),
  prepare(argv) {
    const args = options(argv, { workspace: { type: 'string' }, file: { type: 'string' }, 'batch-size': { type: 'string', default: '5000' } });
    const workspaceId = id(args.workspace, 'workspace');
    const file = required(args.file, 'file');
    const batchSize = wholeNumber(args['batch-size'] ?? '5000', 'batch-size', { min: 1, max: 100_000 });
    return {
      async run(database) {
        let csv: string;
        try {
          csv = await fs.readFile(file, 'utf8');
        } catch (error) {
          throw new UsageError(`--file: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
        }
        await assertWorkspace(database, workspaceId);
        const caller = new CommandRunner({ prisma: database.prisma, timeoutMs: 120_000 }).callerFor({ ...systemSession(workspaceId), actor: 'cli' });
        const bar = progressBar('importing');
        const started = Date.now();
        try {
          const summary = await importOrders(caller, csv, { batchSize, onProgress: (p) => bar.update(p.rowsDone, p.rows) });
          const result = { ...summary, durationMs: Date.now() - started };
          if (summary.errorCount) throw new ImportRefused(result);
          return result;
        } finally {
          bar.done();
        }
      },
    };
  },
};

/** Rows were refused: the summary still goes to stdout (what was imported, which lines failed), exit code 1. */
class ImportRefused extends CommandError {
  constructor(summary: object) {
    super('Some rows were refused: see "errors" (by line) in the summary on stdout.', summary);
  }
}
