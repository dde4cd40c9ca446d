// The events this process already handed to a subscriber lately, by id: the same committed event reaches `dispatch`
// twice when the outbox relay publishes it again (its publish mark not written yet when the relay looked, as under
// load), and a second delivery only finds its mark and does nothing, at the cost of a transaction. This memory skips
// it before that. It is a shortcut, not the guarantee (the delivery mark is): an event whose delivery failed is
// forgotten, so that it can be handed on again.

/** Ids remembered per subscriber at most (the oldest are forgotten first). */
const REMEMBERED = 20_000;

export class RecentDeliveries {
  readonly #ids = new Set<string>();

  /** Whether `id` was handed on lately; remembers it if not. */
  seen(id: string): boolean {
    if (this.#ids.has(id)) return true;
    this.#ids.add(id);
    // A Set iterates in insertion order: the first is the oldest.
    if (this.#ids.size > REMEMBERED) this.#ids.delete(this.#ids.values().next().value!);
    return false;
  }

  /** Forgets events whose delivery did not go through. */
  forget(ids: Iterable<string>): void {
    for (const id of ids) this.#ids.delete(id);
  }
}
