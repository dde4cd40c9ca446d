/** What a cache needs to know of an event to tell whether it changed a fact (a committed or pending event). */
export interface FactChangingEvent {
  type: string;
  workspaceId?: string;
  payload?: unknown;
}

export interface WorkspaceFactCacheOptions {
  /** Whether an event of the workspace changes the fact (it is then read again). */
  changedBy(event: FactChangingEvent): boolean;
  /**
   * How long a fact is trusted at most: a backstop for invalidations that never arrive (a bus that lost messages while
   * Redis was unreachable). @default 10000
   */
  maxAgeMs?: number;
  /** Workspaces kept (the oldest entry goes first). @default 10000 */
  maxWorkspaces?: number;
}

/**
 * A per-workspace fact that nearly every command of a hot path reads and that rarely changes (whether the workspace
 * has saved segments, a plugin's switch), kept in this process and forgotten when an event that changes it commits
 * here or arrives from another instance (the command runner's `notice`, fed by its own commits and by the gateway
 * with every batch the event bus delivers), and after `maxAgeMs` at most.
 *
 * A load that started before an invalidation does not keep its result (a generation per workspace), so the cache
 * never holds a value older than the last change it heard of. Between a commit on another instance and the bus
 * delivering its event (milliseconds) this instance may still act on the old fact: the same window two concurrent
 * transactions have when each reads before the other commits.
 */
export class WorkspaceFactCache<T> {
  readonly #entries = new Map<string, { value: T; at: number }>();
  readonly #generation = new Map<string, number>();
  readonly #maxAgeMs: number;
  readonly #max: number;

  constructor(private readonly options: WorkspaceFactCacheOptions) {
    this.#maxAgeMs = options.maxAgeMs ?? 10_000;
    this.#max = options.maxWorkspaces ?? 10_000;
  }

  /** The workspace's fact: the cached value while it is fresh, else `load()`'s (kept unless it changed meanwhile). */
  async get(workspaceId: string, load: () => Promise<T>): Promise<T> {
    const known = this.#entries.get(workspaceId);
    if (known && Date.now() - known.at <= this.#maxAgeMs) return known.value;
    const generation = this.#generation.get(workspaceId) ?? 0;
    const value = await load();
    if ((this.#generation.get(workspaceId) ?? 0) === generation) this.set(workspaceId, value);
    return value;
  }

  /** Whether any of these events (of one workspace, or carrying theirs) changes the fact. */
  changedBy(events: readonly FactChangingEvent[]): boolean {
    return events.some((event) => this.options.changedBy(event));
  }

  /** Forgets the fact of each workspace one of these committed events changed. */
  notice(events: readonly { workspaceId: string; type: string; payload?: unknown }[]): void {
    for (const event of events) if (this.options.changedBy(event)) this.forget(event.workspaceId);
  }

  forget(workspaceId: string): void {
    this.#generation.set(workspaceId, (this.#generation.get(workspaceId) ?? 0) + 1);
    this.#entries.delete(workspaceId);
  }

  private set(workspaceId: string, value: T): void {
    this.#entries.delete(workspaceId);
    this.#entries.set(workspaceId, { value, at: Date.now() });
    if (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value!);
  }
}
