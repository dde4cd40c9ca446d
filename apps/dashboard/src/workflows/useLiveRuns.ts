// Runs change without an event of their own (a step finishing is not an event), but they start on events: the pages
// ask again after any event of the workspace (at most once a second), and every 3 s while a run is under way.
import { useEffect } from 'react';
import { useEventStream, useThrottled } from '../data/hooks.js';

const UNDER_WAY = new Set(['QUEUED', 'RUNNING']);

/** True while one of these runs may still change by itself soon (waiting runs wait for a date or an event). */
export const anyUnderWay = (runs: readonly { status: string }[]) => runs.some((run) => UNDER_WAY.has(run.status));

export function useLiveRuns(refetch: () => void, underWay: boolean) {
  const soon = useThrottled(refetch, 1000);
  useEventStream({}, soon);
  useEffect(() => {
    if (!underWay) return;
    const timer = setInterval(refetch, 3000);
    return () => clearInterval(timer);
  }, [underWay, refetch]);
}
