// A chart's place on the page while it cannot show its chart: loading, an error with a retry, or empty with what to do.
import type { CombinedError } from '@crm/client';
import type { ReactNode } from 'react';
import { Empty, ErrorMessage, Loading } from '../components/States.js';

export interface ChartSlotProps {
  title: string;
  error?: CombinedError | undefined;
  retry?: () => void;
  loading: boolean;
  /** What to say (and what to do) when there is nothing to draw; null when there is. */
  empty: ReactNode | null;
  wide?: boolean;
  children: ReactNode;
}

export function ChartSlot({ title, error, retry, loading, empty, wide = false, children }: ChartSlotProps) {
  const state = error ? <ErrorMessage error={error} retry={retry} /> : loading ? <Loading what={title.toLowerCase()} /> : empty ? <Empty>{empty}</Empty> : null;
  if (!state) return <>{children}</>;
  return (
    <figure className={wide ? 'chart wide' : 'chart'}>
      <figcaption>{title}</figcaption>
      {state}
    </figure>
  );
}
