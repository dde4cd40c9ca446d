// Work that is undone alone when it fails, inside a transaction that goes on: a savepoint around it, and its events held
// back until the savepoint is released. Core's `emit` hands an event to the transaction at once, so an event raised
// in a savepoint that is rolled back would still be delivered, about a change that never happened.
import type { CommandScope } from '@crm/core';

/**
 * Runs `work` in a savepoint of `scope.tx` (two statements more: SAVEPOINT and RELEASE), with an `emit` that holds its
 * events: they reach `scope.emit` when it succeeds. When it throws, its writes are rolled back to the savepoint, its
 * events dropped, and the error rethrown: a caller that catches it keeps its own writes and goes on. Savepoints nest
 * (a name is reused by the innermost one).
 */
export async function inSavepoint<R>(scope: Pick<CommandScope, 'tx' | 'emit'>, name: string, work: (emit: CommandScope['emit']) => Promise<R>): Promise<R> {
  const events: Parameters<CommandScope['emit']>[] = [];
  const emit = ((...event: Parameters<CommandScope['emit']>) => void events.push(event)) as CommandScope['emit'];
  await scope.tx.$executeRawUnsafe(`SAVEPOINT ${name}`);
  let result: R;
  try {
    result = await work(emit);
  } catch (error) {
    await scope.tx.$executeRawUnsafe(`ROLLBACK TO SAVEPOINT ${name}`);
    throw error;
  }
  await scope.tx.$executeRawUnsafe(`RELEASE SAVEPOINT ${name}`);
  for (const event of events) scope.emit(...event);
  return result;
}
