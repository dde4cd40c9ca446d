// Relay lists that load the next page as you scroll (or with the button). A cursor belongs to one search, filter and
// order: changing them starts again from the first page.
import { useEffect, useRef, useState } from 'react';

export interface PageAnswer {
  totalCount: number;
  hasNextPage: boolean;
  endCursor: string | null;
}

/**
 * The pages shown for `filtersKey`, each asked by its own query (documents without a cache cannot merge pages into
 * one list): the cursors to ask them with (the first page's is null), and what the pages said.
 */
export function usePages(filtersKey: string) {
  const [state, setState] = useState<{ key: string; cursors: (string | null)[]; answers: PageAnswer[] }>({ key: filtersKey, cursors: [null], answers: [] });
  const current = state.key === filtersKey ? state : { key: filtersKey, cursors: [null], answers: [] };
  const last = current.answers[current.cursors.length - 1];
  const more = last?.hasNextPage ? last.endCursor : null;
  return {
    /** Key each page's component with it and its cursor: a page of another search/filter/order is a new component. */
    key: filtersKey,
    cursors: current.cursors,
    totalCount: current.answers[0]?.totalCount,
    /** The next page's cursor once the last page has loaded and says there is one. */
    more,
    loading: !last,
    /** A page (by its index) has answered. */
    answered: (index: number, answer: PageAnswer) =>
      setState((previous) => {
        const base = previous.key === filtersKey ? previous : { key: filtersKey, cursors: [null], answers: [] };
        const known = base.answers[index];
        if (known && known.endCursor === answer.endCursor && known.hasNextPage === answer.hasNextPage && known.totalCount === answer.totalCount) return previous;
        const answers = [...base.answers];
        answers[index] = answer;
        return { ...base, answers };
      }),
    loadMore: () => more && setState({ ...current, cursors: [...current.cursors, more] }),
  };
}

/** Below a list: loads `more` when it scrolls into view (400 px ahead), and a “Load more” button that does the same. */
export function LoadMore({ more, loading, onMore }: { more: string | null; loading: boolean; onMore: () => void }) {
  const sentinel = useRef<HTMLDivElement>(null);
  const latest = useRef(onMore);
  latest.current = onMore;
  useEffect(() => {
    const element = sentinel.current;
    if (!element || !more || loading) return;
    const observer = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && latest.current(), { rootMargin: '400px' });
    observer.observe(element);
    return () => observer.disconnect();
  }, [more, loading]);
  return (
    <>
      <div ref={sentinel} />
      {more && (
        <button type="button" className="secondary" onClick={onMore} disabled={loading}>
          {loading ? 'Loading…' : 'Load more'}
        </button>
      )}
    </>
  );
}

/** A page's component tells its list what the page said, once per change (an effect: it sets the list's state). */
export function useReportAnswer(answer: PageAnswer | undefined, onAnswer: (answer: PageAnswer) => void) {
  const latest = useRef(onAnswer);
  latest.current = onAnswer;
  const key = JSON.stringify(answer ?? null);
  useEffect(() => {
    const said = JSON.parse(key) as PageAnswer | null;
    if (said) latest.current(said);
  }, [key]);
}
