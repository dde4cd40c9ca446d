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

/** Keys of an update input that name or guard the record rather than change it. */
const notChanges = new Set(['id', 'expectedUpdatedAt']);

/** Names of the keys present in a patch (`undefined` means "leave as is"), for `*.updated` events. */
export function changedKeys(patch: Record<string, unknown>): string[] {
  return Object.keys(patch).filter((key) => !notChanges.has(key) && patch[key] !== undefined);
}
