import type { Prisma, PrismaClient } from './generated/prisma/client.js';
import { getDatamodel } from './generated/pothos-types.js';
import { scopeCursors } from './cursor-scope.js';
import { hideTrashedLinks, isTrashable, scopeNestedReads, withoutTrashed } from './trash-scope.js';

/**
 * A Prisma client that can only see and change one workspace's rows.
 *
 * This is where tenant isolation is enforced, once, for every model: each read gets `workspaceId` added to its
 * `where`, each create gets it set in its `data` (overriding anything the caller passed). Nested reads of relations
 * stay inside the workspace because every reference is checked to be in the workspace when it is written
 * (see `@crm/core`'s `assertInWorkspace`). Nested writes are not scoped and are not used by the services.
 *
 * Cursors (`cursor`, of a query and of its nested reads) are kept inside the workspace too (`cursor-scope.ts`).
 *
 * The trash is enforced here too (`trash-scope.ts`): reads and writes of trashable models skip trashed rows, nested
 * to-many reads skip them, and a nullable to-one link to a trashed row reads as null.
 */
export type ScopedPrisma = PrismaClient;
export type ScopedTransaction = Prisma.TransactionClient;

const tenantModels = new Set(
  Object.entries(getDatamodel().datamodel.models)
    .filter(([, model]) => model.fields.some((field) => field.name === 'workspaceId'))
    .map(([name]) => name),
);

type Args = Record<string, unknown> & { where?: object; data?: unknown; create?: object };

const withWhere = ['findUnique', 'findUniqueOrThrow', 'findFirst', 'findFirstOrThrow', 'findMany', 'count', 'aggregate',
  'groupBy', 'update', 'updateMany', 'updateManyAndReturn', 'delete', 'deleteMany'];
const withData = ['create', 'createMany', 'createManyAndReturn'];

/**
 * `where` narrowed to the workspace. A caller's own condition on the workspace column is kept (ANDed), so asking
 * for another workspace's rows finds nothing rather than silently answering with this workspace's.
 */
function scopedWhere(where: object | undefined, key: string, workspaceId: string): object {
  const given = (where as Record<string, unknown> | undefined)?.[key];
  const scoped: Record<string, unknown> = { ...(where ?? {}), [key]: workspaceId };
  if (given !== undefined && given !== workspaceId) {
    const and = (where as { AND?: unknown }).AND;
    scoped.AND = [...(Array.isArray(and) ? and : and ? [and] : []), { [key]: given }];
  }
  return scoped;
}

function scopeArgs(model: string, operation: string, args: Args, workspaceId: string): Args {
  const key = model === 'Workspace' ? 'id' : 'workspaceId';
  if (withWhere.includes(operation)) {
    const where = scopedWhere(args.where, key, workspaceId);
    return { ...args, where: isTrashable(model) ? withoutTrashed(where as Record<string, unknown>) : where };
  }
  if (model === 'Workspace') {
    if (operation === 'upsert') throw new Error('Workspace rows cannot be upserted through a scoped client');
    if (withData.includes(operation)) throw new Error('Workspaces cannot be created through a scoped client');
    return args;
  }
  if (withData.includes(operation)) {
    const data = Array.isArray(args.data)
      ? args.data.map((row: object) => ({ ...row, workspaceId }))
      : { ...(args.data as object), workspaceId };
    return { ...args, data };
  }
  if (operation === 'upsert') {
    return { ...args, where: scopedWhere(args.where, 'workspaceId', workspaceId), create: { ...(args.create ?? {}), workspaceId } };
  }
  return args;
}

const cache = new WeakMap<PrismaClient, Map<string, ScopedPrisma>>();

/** The workspace-scoped client for `workspaceId` (cached: building a Prisma extension is not free). */
export function scopeToWorkspace(prisma: PrismaClient, workspaceId: string): ScopedPrisma {
  let byWorkspace = cache.get(prisma);
  if (!byWorkspace) cache.set(prisma, (byWorkspace = new Map()));
  let scoped = byWorkspace.get(workspaceId);
  if (!scoped) {
    const extended = prisma.$extends({
      name: 'workspace-scope',
      query: {
        $allModels: {
          $allOperations({ model, operation, args, query }) {
            if (model !== 'Workspace' && !tenantModels.has(model)) return query(args);
            const scoped = scopeArgs(model, operation, (args ?? {}) as Args, workspaceId);
            const nested = scopeNestedReads(model, scopeCursors(model, scoped, workspaceId));
            if (!nested.links) return query(nested.args as typeof args);
            const links = nested.links;
            return query(nested.args as typeof args).then((result: unknown) => hideTrashedLinks(result, links));
          },
        },
      },
    });
    // Query extensions do not change the client's types; only raw SQL escapes the scope (and is not used with it).
    scoped = extended as unknown as ScopedPrisma;
    if (byWorkspace.size > 1000) byWorkspace.clear();
    byWorkspace.set(workspaceId, scoped);
  }
  return scoped;
}
