import { customFieldOf } from '@crm/core';
import { syncCustomObjectSearch } from '@crm/graph';
import { customFieldIndexes } from '../custom-fields/field-indexes.js';
import { id, options } from './args.js';
import type { CliCommand } from './command.js';
import { progressBar } from './progress.js';
import { assertWorkspace } from './workspace.js';

/**
 * `crm custom-fields reindex`: builds what the storage of live custom fields and objects lacks — the expression indexes
 * and statistics of indexed and unique fields, the search indexes of custom objects — with the functions definitions
 * use, which build only what is missing (`IF NOT EXISTS`; `CONCURRENTLY` on PostgreSQL, so gateways keep serving).
 * For fields and objects defined before their storage grew (statistics and search indexes came in session 7), and
 * after a build that failed.
 */
export const customFieldsReindex: CliCommand = {
  summary: "builds the indexes and statistics live custom fields and objects lack (all workspaces, or one)",
  usage: '[--workspace ID]',
  help: [
    'For every live indexed or unique custom field: its expression index(es) and statistics; for every live custom object:',
    'its search indexes (stale ones dropped). Only what is missing is built, CONCURRENTLY on PostgreSQL (reads and writes',
    'go on). Progress on stderr (a terminal); prints {"workspaces","fields","objects"}.',
  ].join('\n'),
  prepare(argv) {
    const args = options(argv, { workspace: { type: 'string' } });
    const workspaceId = args.workspace === undefined ? null : id(args.workspace, 'workspace');
    return {
      async run(database) {
        if (workspaceId) await assertWorkspace(database, workspaceId);
        const inScope = workspaceId ? { workspaceId } : {};
        const storage = customFieldIndexes(database);
        const fields = await database.prisma.customFieldDefinition.findMany({
          where: { ...inScope, archivedAt: null, OR: [{ indexed: true }, { unique: true }] },
          orderBy: [{ workspaceId: 'asc' }, { position: 'asc' }],
        });
        const objects = await database.prisma.customObjectDefinition.findMany({ where: { ...inScope, archivedAt: null }, select: { id: true, workspaceId: true } });
        const bar = progressBar('reindexing');
        const total = fields.length + objects.length;
        let done = 0;
        for (const field of fields) {
          await storage.defined(field.workspaceId, customFieldOf(field));
          bar.update(++done, total);
        }
        for (const object of objects) {
          await syncCustomObjectSearch(database.prisma, object.workspaceId, storage, object.id);
          bar.update(++done, total);
        }
        bar.done();
        const workspaces = new Set([...fields, ...objects].map((row) => row.workspaceId)).size;
        return { workspaces, fields: fields.length, objects: objects.length };
      },
    };
  },
};
