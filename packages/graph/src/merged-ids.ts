import type { GraphContext } from './context.js';

const mergeable = new Set(['Customer', 'Company']);

/** A decoded global id. */
interface NodeId {
  typename: string;
  id: string;
}

/**
 * The record that `node` was merged into (`mergeCustomers`, `mergeCompanies`), or null. A merged-away id thus keeps
 * answering (`node(id)` returns the survivor), in the caller's workspace only.
 */
export async function survivorOf(context: GraphContext, node: NodeId): Promise<NodeId | null> {
  if (!context.db || !mergeable.has(node.typename) || !/^[0-9a-f-]{36}$/i.test(node.id)) return null;
  const merge = await context.db.recordMerge.findFirst({ where: { mergedId: node.id, objectType: node.typename }, select: { survivorId: true } });
  return merge ? { typename: node.typename, id: merge.survivorId } : null;
}
