// One list of every object's trash, most recently deleted first, paged: the API lists the trash per object
// (`trash(object:)`, each newest first), so the pages of each object are merged as they arrive, like the merge step of
// a merge sort. An object is asked for its next page only when the list needs its next record.

/** What the merge needs of an entry: its position in the API's order (deletedAt, then id, both descending). */
export interface Trashed {
  id: string;
  deletedAt: string;
}

/** One object's page of the trash as the API answers it; `refused` when the caller may not read that object. */
export type TrashPageAnswer<Entry> = { entries: Entry[]; hasNextPage: boolean; endCursor: string | null } | { refused: true };

export type FetchTrashPage<Entry> = (object: string, after: string | null) => Promise<TrashPageAnswer<Entry>>;

interface Source<Entry> {
  object: string;
  buffer: Entry[];
  cursor: string | null;
  hasNextPage: boolean;
}

const newerFirst = (a: Trashed, b: Trashed) => (a.deletedAt === b.deletedAt ? (a.id < b.id ? 1 : -1) : a.deletedAt < b.deletedAt ? 1 : -1);

/** The merged trash of `objects`: `next(n)` gives the next `n` records over all of them. */
export class MergedTrash<Entry extends Trashed> {
  readonly #sources: Source<Entry>[];

  constructor(
    objects: readonly string[],
    private readonly fetchPage: FetchTrashPage<Entry>,
  ) {
    this.#sources = objects.map((object) => ({ object, buffer: [], cursor: null, hasNextPage: true }));
  }

  /** Whether records remain after those given so far. */
  get hasMore(): boolean {
    return this.#sources.some((source) => source.buffer.length > 0 || source.hasNextPage);
  }

  /** The next `count` records, newest first; an object the caller may not read is left out. Throws what a page threw. */
  async next(count: number): Promise<Entry[]> {
    const taken: Entry[] = [];
    while (taken.length < count) {
      // An object whose buffered records are all taken may hold the next newest: its next page is asked first.
      const starving = this.#sources.filter((source) => source.buffer.length === 0 && source.hasNextPage);
      await Promise.all(starving.map((source) => this.#fill(source)));
      let newest: Source<Entry> | null = null;
      for (const source of this.#sources) {
        if (source.buffer.length && (!newest || newerFirst(source.buffer[0]!, newest.buffer[0]!) < 0)) newest = source;
      }
      if (!newest) break;
      taken.push(newest.buffer.shift()!);
    }
    return taken;
  }

  async #fill(source: Source<Entry>): Promise<void> {
    const answer = await this.fetchPage(source.object, source.cursor);
    if ('refused' in answer) {
      source.hasNextPage = false;
      return;
    }
    source.buffer.push(...answer.entries);
    source.cursor = answer.endCursor;
    source.hasNextPage = answer.hasNextPage && answer.entries.length > 0;
  }
}
