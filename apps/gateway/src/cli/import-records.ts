import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { CommandRunner, importRecords, type ObjectCatalog, type ResolvedObject, systemSession, upsertKeysOf, workspaceCatalog, writerOf } from '@crm/core';
import { pluginHostFromEnvironment } from '@crm/plugin-sdk/host';
import { id, options, required, UsageError, wholeNumber } from './args.js';
import { type CliCommand, CommandError } from './command.js';
import { progressBar } from './progress.js';
import { assertWorkspace } from './workspace.js';

/** The declared object a CLI word names: its plural (`customers`) or its name (`Customer`), case-insensitively. */
function objectNamed(catalog: ObjectCatalog, word: string): ResolvedObject {
  const lower = word.toLowerCase();
  const found = [...catalog.objects].find((object) => writerOf(object)?.create && (object.plural?.toLowerCase() === lower || object.name.toLowerCase() === lower));
  if (!found) {
    const importable = [...catalog.objects].filter((object) => writerOf(object)?.create && object.plural).map((object) => object.plural);
    throw new UsageError(`${word}: not an object that can be imported (${importable.join(', ')}; orders: crm import orders)`);
  }
  return found;
}

/** The field a `--on` value names: `email`, `externalRef`, `EXTERNAL_REF` or `external-ref`. */
function keyNamed(object: ResolvedObject, value: string): string {
  const normalised = value.toLowerCase().replace(/[\s_-]+/g, '');
  const keys = upsertKeysOf(object);
  const key = keys.find((k) => k.toLowerCase() === normalised);
  if (!key) throw new UsageError(`--on: ${object.name} has no unique key ${value} (keys: ${keys.join(', ') || 'none'})`);
  return key;
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(fs.createReadStream(file), hash);
  return hash.digest('hex');
}

export const importRecordsCommand: CliCommand = {
  summary: 'imports any writable object (customers, companies, products, deals, …, plugins’ objects) from a CSV file',
  usage: '<object> --workspace ID --file F.csv [--map map.json] [--on KEY] [--dry-run] [--batch-size N]',
  help: [
    'Prints {"jobId","object","on","dryRun","lines","created","updated","refused","resumedAfter","ignoredColumns","errors":[{"line","field","message"}…],"errorCount","durationMs"}.',
    'The header line names the columns; each is matched to a field by name (case, spaces, _ and - ignored) or by the',
    '--map file ({"E-mail address": "email", …}); other columns are ignored (listed in ignoredColumns). Empty cells are',
    'left out; lists are split on ";"; references take ids. Each batch is one transaction with the job’s checkpoint: a',
    'refused line is listed and the others are written; run the same command again after a crash and it resumes after',
    'the last committed line. With --on, lines update the record with the same key or create one (a rerun changes',
    'nothing). --dry-run reports what would be created, updated and refused, and writes nothing. Exit code 1 when a',
    'line was refused. See docs/data.md.',
    '',
    '  <object>          customers, companies, products, deals, tasks, tickets, activities, competitors, …',
    '  --workspace ID    the workspace (required)',
    '  --file F.csv      the file (required)',
    '  --map map.json    column → field names',
    '  --on KEY          upsert on this unique key (customers: email, externalRef; companies: domain; products: sku; …)',
    '  --dry-run         write nothing; report what would happen',
    '  --batch-size N    lines per transaction (default 1000, at most 1000)',
  ].join('\n'),
  prepare(argv) {
    const [word, ...rest] = argv;
    if (!word || word.startsWith('-')) throw new UsageError('name the object to import, e.g. crm import customers --file customers.csv');
    const args = options(rest, {
      workspace: { type: 'string' },
      file: { type: 'string' },
      map: { type: 'string' },
      on: { type: 'string' },
      'dry-run': { type: 'boolean' },
      'batch-size': { type: 'string', default: '1000' },
    });
    const workspaceId = id(args.workspace, 'workspace');
    const file = required(args.file, 'file');
    const batchSize = wholeNumber(args['batch-size'] ?? '1000', 'batch-size', { min: 1, max: 1000 });
    let mapping: Record<string, string> | null = null;
    if (args.map) {
      try {
        mapping = JSON.parse(fs.readFileSync(args.map, 'utf8')) as Record<string, string>;
      } catch (error) {
        throw new UsageError(`--map: cannot read ${args.map} as JSON (${error instanceof Error ? error.message : String(error)})`);
      }
      if (typeof mapping !== 'object' || mapping === null || Object.values(mapping).some((field) => typeof field !== 'string')) {
        throw new UsageError('--map: a JSON object of column name → field name');
      }
    }
    let size: number;
    try {
      size = fs.statSync(file).size;
    } catch (error) {
      throw new UsageError(`--file: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
    return {
      async run(database) {
        const { host } = await pluginHostFromEnvironment();
        await database.migrate(host.migrations);
        await assertWorkspace(database, workspaceId);
        const catalog = await workspaceCatalog(database.prisma, workspaceId, { pluginObjects: host.objects });
        const object = objectNamed(catalog, word);
        const on = args.on ? keyNamed(object, args.on) : null;
        // Plugins' before-commit hooks run as they do in the gateway; running gateways publish the events (outbox).
        const runner = new CommandRunner({ prisma: database.prisma, timeoutMs: 120_000, beforeCommit: [host.commitHook], personalData: host.personalData });
        const caller = runner.callerFor({ ...systemSession(workspaceId), actor: 'cli' });
        const bar = progressBar(args['dry-run'] ? 'checking' : 'importing');
        const started = Date.now();
        const fileHash = args['dry-run'] ? null : await sha256Of(file);
        let read = 0;
        // Bytes read so far drive the progress bar (the number of lines is not known before the end).
        async function* counted() {
          for await (const chunk of fs.createReadStream(file) as AsyncIterable<Buffer>) {
            read += chunk.length;
            yield chunk;
          }
        }
        try {
          const summary = await importRecords(caller, counted(), {
            object,
            on,
            mapping,
            dryRun: args['dry-run'] ?? false,
            batchSize,
            fileHash,
            fileName: file,
            onProgress: () => bar.update(read, size),
          });
          const result = { ...summary, durationMs: Date.now() - started };
          if (summary.errorCount) throw new CommandError('Some lines were refused: see "errors" (by line) in the summary on stdout.', result);
          return result;
        } finally {
          bar.done();
        }
      },
    };
  },
};
