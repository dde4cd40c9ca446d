// The workspace's workflows as a connection (first/after, last/before; totalCount), newest first: every workflow
// reached a page at a time. `workflows` (run-operations.ts) stays the list it was, at most 500, for its callers.
import { type Builder, cursorInWorkspace } from '@crm/plugin-sdk';
import type { WorkflowToolkit } from './toolkit.js';

export function registerWorkflowList(builder: Builder, plugin: WorkflowToolkit) {
  const whereOf = (archived: boolean | null | undefined) => ({ archivedAt: archived ? { not: null } : null });
  builder.queryField('workflowsConnection', (t) =>
    t.prismaConnection({
      type: 'Workflow',
      cursor: 'id',
      description: 'The workspace’s workflows as a connection, newest first: those not archived, or with `archived: true` the archived ones (ADMIN).',
      args: { archived: t.arg.boolean({ defaultValue: false }) },
      resolve: async (query, _root, args, context) => {
        const { db } = plugin.authorize(context, 'manage');
        // The cursor is a workflow of the workspace (BAD_USER_INPUT on after/before otherwise): Prisma reads its row unscoped.
        const page = await cursorInWorkspace(query, args, (id) => db.workflow.findFirst({ where: { id }, select: { id: true } }));
        return db.workflow.findMany({ ...page, where: whereOf(args.archived), orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] });
      },
      totalCount: (_connection, args, context) => plugin.authorize(context, 'manage').db.workflow.count({ where: whereOf(args.archived) }),
    }),
  );
}
