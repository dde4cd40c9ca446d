import fs from 'node:fs';
import { once } from 'node:events';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { systemSession, workspaceCatalog } from '@crm/core';
import { type ExportFormat, exportFormats, type ExportRequest, exportRequestFromText, exportText, planExport } from '@crm/graph';
import { pluginHostFromEnvironment } from '@crm/plugin-sdk/host';
import { id, options, UsageError } from './args.js';
import type { CliCommand } from './command.js';
import { progressBar } from './progress.js';
import { assertWorkspace } from './workspace.js';

export const exportCommand: CliCommand = {
  summary: 'exports a filtered list of any object as CSV or NDJSON (streamed, memory flat)',
  usage: '<object> --workspace ID [--filter JSON] [--order-by JSON] [--fields a,b,company.name] [--format csv|ndjson] [--out F]',
  help: [
    'The same export as GET /export/<object> (docs/data.md, "Export"), as the workspace\'s ADMIN: every field, trashed',
    'rows left out. Prints {"object","format","rows","bytes","out","durationMs"} when done: on stdout with --out, on',
    'stderr when the export itself goes to stdout. Progress on a terminal.',
    '',
    '  <object>             the list (customers, companies, deals, …, plugins\' lists too)',
    '  --workspace ID       the workspace (required)',
    '  --filter JSON        the list\'s filter, e.g. \'{"lifecycleStage":{"eq":"CUSTOMER"}}\'',
    '  --order-by JSON      the list\'s orderBy, e.g. \'[{"field":"NAME","direction":"DESC"}]\' or NAME',
    '  --fields LIST        columns, comma-separated (default: every field)',
    '  --format F           csv (default) or ndjson',
    '  --out F              the file to write (default: stdout)',
  ].join('\n'),
  prepare(argv) {
    const object = argv[0] && !argv[0].startsWith('-') ? argv[0] : undefined;
    if (!object) throw new UsageError('say which object to export, e.g. crm export customers --workspace ID');
    const args = options(argv.slice(1), {
      workspace: { type: 'string' },
      filter: { type: 'string' },
      'order-by': { type: 'string' },
      fields: { type: 'string' },
      format: { type: 'string', default: 'csv' },
      out: { type: 'string' },
    });
    const workspaceId = id(args.workspace, 'workspace');
    const format = (args.format ?? 'csv').toLowerCase() as ExportFormat;
    if (!exportFormats.includes(format)) throw new UsageError(`--format must be one of ${exportFormats.join(', ')}`);
    let request: ExportRequest;
    try {
      request = exportRequestFromText(object, { filter: args.filter, orderBy: args['order-by'], fields: args.fields });
    } catch (error) {
      throw new UsageError(error instanceof Error ? `--${error.message}` : String(error));
    }
    return {
      resultTo: args.out ? 'stdout' : 'stderr',
      async run(database) {
        await assertWorkspace(database, workspaceId);
        const { host } = await pluginHostFromEnvironment();
        const catalog = await workspaceCatalog(database.prisma, workspaceId, { pluginObjects: host.objects });
        const plan = planExport(catalog, systemSession(workspaceId), request);
        const run = (text: string, values: readonly unknown[]) => database.sql.query<Record<string, unknown>>(text, values);
        const started = Date.now();
        const total = await plan.count(run);
        const bar = progressBar(`exporting ${plan.object.plural}`);
        let rows = 0;
        let bytes = 0;
        async function* counted() {
          for await (const page of plan.pages(run)) {
            rows += page.length;
            bar.update(rows, Math.max(total, rows));
            yield page;
          }
        }
        async function* measured() {
          for await (const chunk of exportText(plan.columns, counted(), format)) {
            bytes += Buffer.byteLength(chunk);
            yield chunk;
          }
        }
        const out: Writable = args.out ? fs.createWriteStream(args.out) : process.stdout;
        try {
          if (args.out) await pipeline(Readable.from(measured()), out);
          else {
            // stdout is not ended (the process still writes to it); each chunk waits for it to drain.
            for await (const chunk of measured()) if (!out.write(chunk)) await once(out, 'drain');
          }
        } finally {
          bar.done();
        }
        return { object: plan.object.plural, format, rows, bytes, out: args.out ?? null, durationMs: Date.now() - started };
      },
    };
  },
};
