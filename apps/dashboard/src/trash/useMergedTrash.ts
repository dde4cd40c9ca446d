// The Trash page's list: every object's trash merged newest first (merged-trash.ts), a page at a time.
import type { CombinedError } from '@crm/client';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useClient } from '../data/hooks.js';
import { MergedTrash, type TrashPageAnswer } from './merged-trash.js';
import { type TrashEntry, trashPageQuery } from './documents.js';

export const TRASH_PAGE = 20;

interface State {
  entries: TrashEntry[];
  hasMore: boolean;
  loading: boolean;
  error: CombinedError | undefined;
}

/**
 * The merged trash of `objects` (undefined until they are known): the records given so far, `loadMore`, and
 * `reload` (after a restore or a destroy, which also take or bring back the records trashed with one), which asks
 * again for as many records as are shown.
 */
export function useMergedTrash(objects: readonly string[] | undefined) {
  const client = useClient();
  const [state, setState] = useState<State>({ entries: [], hasMore: false, loading: true, error: undefined });
  const trash = useRef<MergedTrash<TrashEntry> | null>(null);
  const shown = useRef(TRASH_PAGE);
  const [generation, setGeneration] = useState(0);
  const key = objects?.join(',');

  const fetchPage = useCallback(
    async (object: string, after: string | null): Promise<TrashPageAnswer<TrashEntry>> => {
      const result = await client.query(trashPageQuery, { object: object as never, first: TRASH_PAGE, after }, { requestPolicy: 'network-only' }).toPromise();
      // A role that may not read an object is refused its trash: the page lists the others.
      if (result.error?.graphQLErrors.some((e) => e.extensions.code === 'FORBIDDEN')) return { refused: true };
      if (result.error || !result.data) throw result.error;
      return { entries: result.data.trash.edges.map((edge) => edge.node), ...result.data.trash.pageInfo };
    },
    [client],
  );

  const take = useCallback(async (from: MergedTrash<TrashEntry>, count: number, append: boolean) => {
    setState((previous) => ({ ...previous, loading: true, error: undefined }));
    try {
      const entries = await from.next(count);
      if (trash.current !== from) return;
      setState((previous) => ({ entries: append ? [...previous.entries, ...entries] : entries, hasMore: from.hasMore, loading: false, error: undefined }));
    } catch (error) {
      if (trash.current === from) setState((previous) => ({ ...previous, loading: false, error: error as CombinedError }));
    }
  }, []);

  useEffect(() => {
    if (key === undefined) return;
    const merged = new MergedTrash<TrashEntry>(key ? key.split(',') : [], fetchPage);
    trash.current = merged;
    void take(merged, shown.current, false);
    return () => {
      trash.current = null;
    };
  }, [key, generation, fetchPage, take]);

  return {
    ...state,
    loadMore: () => {
      if (!trash.current || state.loading) return;
      shown.current = state.entries.length + TRASH_PAGE;
      void take(trash.current, TRASH_PAGE, true);
    },
    reload: () => {
      shown.current = Math.max(TRASH_PAGE, state.entries.length);
      setGeneration((n) => n + 1);
    },
  };
}
