import { createWorkspace } from '@crm/core';
import type { Database } from '@crm/db';
import { options, required } from './args.js';
import { type CliCommand, CommandError } from './command.js';

export const workspaceCreate: CliCommand = {
  summary: 'creates a workspace with its default sales pipeline and an ADMIN API key',
  usage: '--name NAME',
  help: [
    'Prints {"workspaceId","apiKey","name"}. The key is shown once: only its hash is stored.',
    '',
    '  --name NAME   the workspace name (required)',
  ].join('\n'),
  prepare(argv) {
    const name = required(options(argv, { name: { type: 'string' } }).name, 'name');
    return {
      async run(database) {
        const created = await createWorkspace(database.prisma, { name });
        return { workspaceId: created.workspaceId, apiKey: created.apiKey, name: created.name };
      },
    };
  },
};

export const workspaceList: CliCommand = {
  summary: 'lists the workspaces with their number of customers',
  usage: '',
  help: 'Prints {"workspaces":[{"workspaceId","name","customers","createdAt"}, …]}, oldest first.',
  prepare(argv) {
    options(argv, {});
    return {
      async run(database) {
        const rows = await database.prisma.workspace.findMany({
          orderBy: { createdAt: 'asc' },
          select: { id: true, name: true, createdAt: true, _count: { select: { customers: true } } },
        });
        return { workspaces: rows.map((w) => ({ workspaceId: w.id, name: w.name, customers: w._count.customers, createdAt: w.createdAt.toISOString() })) };
      },
    };
  },
};

/** Fails with a clear message when the workspace does not exist. */
export async function assertWorkspace(database: Database, workspaceId: string): Promise<void> {
  if (!(await database.prisma.workspace.findUnique({ where: { id: workspaceId }, select: { id: true } }))) {
    throw new CommandError(`No workspace ${workspaceId} (npm run crm -- workspace list shows them)`);
  }
}
