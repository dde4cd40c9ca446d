// Narrowed views of a running transaction (access-scope.ts `restrictTransaction`: the same transaction, its model
// delegates wrapped) are the transaction to everything that keys per transaction: its command's connection
// (command-transaction.ts), and the plugin SDK's per-transaction rules (a write at commit once, savepoints, turns).
// Else work done through a view (a plugin's action called `as` a role) would escape them.

/** View → the transaction it views (never itself a view). */
const viewed = new WeakMap<object, object>();

/** Records `view` as a view of `tx` (of what `tx` views, when it is a view itself). */
export function markTransactionView(view: object, tx: object): void {
  viewed.set(view, underlyingTransaction(tx));
}

/** The transaction `tx` is a view of, or `tx` itself: the one identity of a running transaction. */
export function underlyingTransaction<T extends object>(tx: T): T {
  return (viewed.get(tx) as T | undefined) ?? tx;
}
