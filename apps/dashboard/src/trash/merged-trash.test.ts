import { describe, expect, it } from 'vitest';
import { MergedTrash, type TrashPageAnswer } from './merged-trash.js';

interface Entry {
  id: string;
  deletedAt: string;
  object: string;
}

/** An object's trash served two records a page, as the API orders it, counting the pages asked. */
function serve(trash: Record<string, Entry[]>, refused: string[] = []) {
  const asked: string[] = [];
  const fetchPage = async (object: string, after: string | null): Promise<TrashPageAnswer<Entry>> => {
    asked.push(`${object}@${after ?? 0}`);
    if (refused.includes(object)) return { refused: true };
    const start = after ? Number(after) : 0;
    const entries = trash[object]!.slice(start, start + 2);
    return { entries, hasNextPage: start + 2 < trash[object]!.length, endCursor: String(start + entries.length) };
  };
  return { fetchPage, asked };
}

const at = (object: string, id: string, minute: number): Entry => ({ object, id, deletedAt: `2026-12-04T10:${String(minute).padStart(2, '0')}:00.000Z` });

describe('the merged trash', () => {
  it('gives the records of every object newest first, page after page, asking each object only as far as needed', async () => {
    const { fetchPage, asked } = serve({
      CUSTOMER: [at('CUSTOMER', 'c3', 50), at('CUSTOMER', 'c2', 40), at('CUSTOMER', 'c1', 5)],
      CONTRACT: [at('CONTRACT', 'k2', 45), at('CONTRACT', 'k1', 30)],
      DEAL: [],
    });
    const trash = new MergedTrash(['CUSTOMER', 'CONTRACT', 'DEAL'], fetchPage);
    expect((await trash.next(3)).map((e) => e.id)).toEqual(['c3', 'k2', 'c2']);
    expect(trash.hasMore).toBe(true);
    expect(asked).toEqual(['CUSTOMER@0', 'CONTRACT@0', 'DEAL@0']);
    // c1 is on the customers' second page: it is asked when the list gets there.
    expect((await trash.next(3)).map((e) => e.id)).toEqual(['k1', 'c1']);
    expect(trash.hasMore).toBe(false);
    expect(asked).toEqual(['CUSTOMER@0', 'CONTRACT@0', 'DEAL@0', 'CUSTOMER@2']);
  });

  it('orders records deleted at the same instant by id, descending, as the API does', async () => {
    const { fetchPage } = serve({ A: [at('A', 'a', 1)], B: [at('B', 'b', 1)] });
    expect((await new MergedTrash(['A', 'B'], fetchPage).next(5)).map((e) => e.id)).toEqual(['b', 'a']);
  });

  it('leaves out the objects the caller may not read', async () => {
    const { fetchPage } = serve({ CUSTOMER: [at('CUSTOMER', 'c1', 1)], CONTRACT: [at('CONTRACT', 'k1', 2)] }, ['CONTRACT']);
    const trash = new MergedTrash(['CUSTOMER', 'CONTRACT'], fetchPage);
    expect((await trash.next(5)).map((e) => e.id)).toEqual(['c1']);
    expect(trash.hasMore).toBe(false);
  });
});
