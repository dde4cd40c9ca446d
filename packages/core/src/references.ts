import type { ScopedTransaction } from '@crm/db';
import { notFound } from './errors.js';

type Referable = 'customer' | 'company' | 'user' | 'deal' | 'ticket' | 'pipeline' | 'stage' | 'product' | 'campaign' | 'task';

const labels: Record<Referable, string> = {
  customer: 'Customer', company: 'Company', user: 'User', deal: 'Deal', ticket: 'Ticket', pipeline: 'Pipeline',
  stage: 'Stage', product: 'Product', campaign: 'Campaign', task: 'Task',
};

/**
 * Throws NOT_FOUND (naming `field`) unless the row exists in the caller's workspace. Every id a command stores as a
 * reference passes through here: with the scoped client that is what keeps relations inside one workspace.
 */
export async function assertInWorkspace(tx: ScopedTransaction, model: Referable, id: string, field: string): Promise<void> {
  const delegate = tx[model] as unknown as { count(args: { where: { id: string } }): Promise<number> };
  if ((await delegate.count({ where: { id } })) === 0) throw notFound(labels[model], field);
}

/** Same as {@link assertInWorkspace} for an optional reference (null or undefined passes). */
export async function assertOptionalInWorkspace(
  tx: ScopedTransaction,
  model: Referable,
  id: string | null | undefined,
  field: string,
): Promise<void> {
  if (id) await assertInWorkspace(tx, model, id, field);
}

/**
 * {@link assertInWorkspace} for many ids in one statement (bulk writes): the ids among `ids` that are not rows of the
 * caller's workspace (each is that row's NOT_FOUND).
 */
export async function missingInWorkspace(tx: ScopedTransaction, model: Referable, ids: Iterable<string | null | undefined>): Promise<Set<string>> {
  const wanted = [...new Set([...ids].filter((id): id is string => !!id))];
  if (!wanted.length) return new Set();
  const delegate = tx[model] as unknown as { findMany(args: object): Promise<{ id: string }[]> };
  const found = new Set((await delegate.findMany({ where: { id: { in: wanted } }, select: { id: true } })).map((row) => row.id));
  return new Set(wanted.filter((id) => !found.has(id)));
}

/** The NOT_FOUND {@link assertInWorkspace} throws, for a reference found missing by {@link missingInWorkspace}. */
export const missingReference = (model: Referable, field: string): Error => notFound(labels[model], field);

/** Keys of an update input that name or guard the record rather than change it. */
const notChanges = new Set(['id', 'expectedUpdatedAt']);

/** Names of the keys present in a patch (`undefined` means "leave as is"), for `*.updated` events. */
export function changedKeys(patch: Record<string, unknown>): string[] {
  return Object.keys(patch).filter((key) => !notChanges.has(key) && patch[key] !== undefined);
}
