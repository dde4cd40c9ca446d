// Work that is undone alone when it fails, inside a transaction that goes on: a savepoint around it, and its events held
// back until the savepoint is released. Core's `emit` hands an event to the transaction at once, so an event raised
// in a savepoint that is rolled back would still be delivered, about a change that never happened.
// A savepoint belongs to the transaction, not to the call: a ROLLBACK TO undoes whatever the transaction wrote since,
// a concurrent call's writes included. So the SDK's writes and action calls of one transaction take turns
// (`inTurn`), at every depth: work nested in one (an action its writer calls) takes turns with its own siblings.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { CommandScope } from '@crm/core';
import { underlyingTransaction } from '@crm/db';
import { ownRowsSavepoint } from './own-rows.js';

/**
 * Per transaction, the turn (frame) the running code holds: work it starts in the transaction takes turns with the
 * other work started in that same frame, and work nested in it opens a frame of its own. Never "held, so at once" for
 * a whole transaction: an action's `Promise.all` of two writes would run both in its turn, each in a savepoint of the
 * same name, and one's ROLLBACK TO would undo the other's rows.
 */
const holding = new AsyncLocalStorage<ReadonlyMap<object, object>>();
/** Each frame's last turn (settled): the next one started in that frame starts after it. The root frame: `tx`. */
const turns = new WeakMap<object, Promise<unknown>>();

/**
 * Runs `work` in `tx`'s turn: after the SDK's writes and action calls started before it in the same frame have
 * settled (a plugin's `Promise.all` of two of them runs them one after the other, at any depth).
 */
export function inTurn<R>(view: object, work: () => Promise<R>): Promise<R> {
  // The transaction's, whichever view of it asks (an action called `as` a role works in a narrowed one).
  const tx = underlyingTransaction(view);
  const held = holding.getStore();
  const frame = held?.get(tx) ?? tx;
  const mine = (turns.get(frame) ?? Promise.resolve()).then(() => holding.run(new Map(held).set(tx, {}), work));
  turns.set(frame, mine.catch(() => {}));
  return mine;
}

/**
 * Runs `work` in a savepoint of `scope.tx` (two statements more: SAVEPOINT and RELEASE), in the transaction's turn
 * (`inTurn`), with an `emit` that holds its events: they reach `scope.emit` when it succeeds. When it throws, its
 * writes are rolled back to the savepoint (a plugin's deferred `rows.writeAtCommit` made in it too: own-rows.ts), its
 * events dropped, and the error rethrown: a caller that catches it keeps its own writes and goes on. Savepoints nest
 * (a name is reused by the innermost one).
 */
export function inSavepoint<R>(scope: Pick<CommandScope, 'tx' | 'emit'>, name: string, work: (emit: CommandScope['emit']) => Promise<R>): Promise<R> {
  return inTurn(scope.tx, async () => {
    const events: Parameters<CommandScope['emit']>[] = [];
    const emit = ((...event: Parameters<CommandScope['emit']>) => void events.push(event)) as CommandScope['emit'];
    await scope.tx.$executeRawUnsafe(`SAVEPOINT ${name}`);
    const rows = ownRowsSavepoint(scope.tx);
    let result: R;
    try {
      result = await work(emit);
    } catch (error) {
      rows.rollback();
      // The work's error is the answer: a rollback that fails too (the transaction ended: its deadline) must not hide it.
      await scope.tx.$executeRawUnsafe(`ROLLBACK TO SAVEPOINT ${name}`).catch(() => {});
      throw error;
    }
    rows.release();
    await scope.tx.$executeRawUnsafe(`RELEASE SAVEPOINT ${name}`);
    for (const event of events) scope.emit(...event);
    return result;
  });
}
