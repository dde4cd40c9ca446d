import { affectsDashboardMetrics, computeDashboardMetrics, type DashboardMetrics } from '@crm/core';
import type { ScopedPrisma } from '@crm/db';
import type { LiveEvents } from '../context.js';
import { latestValueStream } from './latest-value-stream.js';

/** At most one computation per workspace per this interval (≤ 4 emissions a second under load). */
export const DASHBOARD_MIN_INTERVAL_MS = 250;

type Listener = (result: { metrics: DashboardMetrics } | { error: unknown }) => void;

/**
 * The figures of one workspace, shared by all its subscribers on this instance: ONE bus listener, and ONE
 * computation per emission whatever the number of subscribers. Relevant events mark the figures stale; a
 * computation runs at once, or as soon as the minimum interval since the last one has passed, so a burst of
 * changes is coalesced into a few emissions.
 */
class WorkspaceDashboard {
  readonly listeners = new Set<Listener>();
  private latest: DashboardMetrics | null = null;
  private stale = true;
  private running = false;
  private lastStart = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly unsubscribe: () => void;

  constructor(
    live: LiveEvents,
    private readonly workspaceId: string,
    private readonly db: ScopedPrisma,
    private readonly minIntervalMs: number,
  ) {
    // An empty batch (events possibly missed) could hide a relevant change: recompute then too.
    this.unsubscribe = live.subscribe(workspaceId, (events) => {
      if (!events.length || events.some(affectsDashboardMetrics)) this.invalidate();
    });
  }

  /** A new subscriber gets the current figures at once: the cached ones if nothing changed since. */
  add(listener: Listener): void {
    this.listeners.add(listener);
    if (this.latest && !this.stale) listener({ metrics: this.latest });
    else this.schedule();
  }

  close(): void {
    this.unsubscribe();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.listeners.clear();
  }

  private invalidate(): void {
    this.stale = true;
    this.schedule();
  }

  private schedule(): void {
    if (this.running || this.timer || !this.listeners.size) return;
    const wait = Math.max(0, this.lastStart + this.minIntervalMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.compute();
    }, wait);
  }

  private async compute(): Promise<void> {
    this.stale = false;
    this.running = true;
    this.lastStart = Date.now();
    let result: Parameters<Listener>[0];
    try {
      this.latest = await computeDashboardMetrics(this.db, this.workspaceId);
      result = { metrics: this.latest };
    } catch (error) {
      this.latest = null;
      result = { error };
    } finally {
      this.running = false;
    }
    for (const listener of this.listeners) listener(result);
    if (this.stale) this.schedule();
  }
}

/** One hub per event bus (gateway), so dashboards of the same workspace share their figures. */
const hubs = new WeakMap<LiveEvents, Map<string, WorkspaceDashboard>>();

export interface DashboardStreamOptions {
  live: LiveEvents;
  db: ScopedPrisma;
  workspaceId: string;
  /** @default DASHBOARD_MIN_INTERVAL_MS */
  minIntervalMs?: number;
}

/** The workspace's figures now, then after every relevant committed change (coalesced). */
export function dashboardMetricsStream(options: DashboardStreamOptions): AsyncIterableIterator<DashboardMetrics> {
  const { live, workspaceId } = options;
  let byWorkspace = hubs.get(live);
  if (!byWorkspace) hubs.set(live, (byWorkspace = new Map()));
  const workspaces = byWorkspace;
  let dashboard = workspaces.get(workspaceId);
  if (!dashboard) {
    dashboard = new WorkspaceDashboard(live, workspaceId, options.db, options.minIntervalMs ?? DASHBOARD_MIN_INTERVAL_MS);
    workspaces.set(workspaceId, dashboard);
  }
  const shared = dashboard;
  return latestValueStream<DashboardMetrics>((push, fail) => {
    const listener: Listener = (result) => ('error' in result ? fail(result.error) : push(result.metrics));
    shared.add(listener);
    return () => {
      shared.listeners.delete(listener);
      if (!shared.listeners.size && workspaces.get(workspaceId) === shared) {
        shared.close();
        workspaces.delete(workspaceId);
      }
    };
  });
}
