import { type ApiKeyVerifier, keyEnded, keyStandingSelect, type RecordedEvent, type Session } from '@crm/core';
import type { PrismaClient } from '@crm/db';
import type { EventBus } from './event-bus.js';
import { describeError, type Logger } from '../logger.js';

/** Why a live session was ended: `revoked`, `expired` or `user deactivated`. */
export type SessionEndReason = NonNullable<ReturnType<typeof keyEnded>>;

export interface SessionGuardOptions {
  prisma: PrismaClient;
  verifier: ApiKeyVerifier;
  bus: EventBus;
  logger: Logger;
  /**
   * How often the keys of live connections are checked in the database, whatever the bus said (a revocation made
   * while this instance missed the event still ends its sessions). Below the verifier's 10 s cache, so a live
   * session never outlives a revoked key longer than an HTTP request could. @default 5000
   */
  checkEveryMs?: number;
}

interface Watcher {
  session: Session;
  end: (reason: SessionEndReason) => void;
  expiry: NodeJS.Timeout | null;
}

/** Longest delay setTimeout accepts (about 24.8 days); a later expiry is caught by a later re-arm. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Ends live sessions (graphql-ws connections, SSE streams) whose API key stops working: revoked, expired, or linked
 * to a user who was deactivated. Revocations and user changes arrive as events on the bus (from every instance,
 * through Redis when configured) and are acted on at once; a periodic check of the watched keys backs that up;
 * expiry is a timer per session.
 */
export class SessionGuard {
  private readonly watchers = new Map<string, Set<Watcher>>(); // by API key id
  private readonly workspaces = new Map<string, { keys: number; unsubscribe: () => void }>();
  private readonly timer: NodeJS.Timeout;
  private checking: Promise<void> = Promise.resolve();

  constructor(private readonly options: SessionGuardOptions) {
    this.timer = setInterval(() => void this.check([...this.watchers.keys()]), options.checkEveryMs ?? 5000);
    this.timer.unref();
  }

  /** Bus listeners this guard holds (one per workspace with a live session), not counted as live subscribers. */
  get busListeners(): number {
    return this.workspaces.size;
  }

  /** Calls `end` once when the session's key stops working. Returns a function that stops watching. */
  watch(session: Session, end: (reason: SessionEndReason) => void): () => void {
    const keyId = session.apiKeyId;
    if (!keyId) return () => {};
    const watcher: Watcher = { session, end, expiry: null };
    this.armExpiry(watcher);
    let set = this.watchers.get(keyId);
    if (!set) {
      this.watchers.set(keyId, (set = new Set()));
      this.follow(session.workspaceId);
    }
    set.add(watcher);
    return () => this.unwatch(keyId, watcher);
  }

  /**
   * Committed events, from this instance or another: forgets cached verifications of the keys they affect (so HTTP
   * sees the change at once) and re-checks the live sessions of those keys.
   */
  notice(events: readonly RecordedEvent[]): void {
    const affected = new Set<string>();
    for (const event of events) {
      if (event.type === 'apikey.revoked') {
        this.options.verifier.forget(event.subjectId);
        if (this.watchers.has(event.subjectId)) affected.add(event.subjectId);
      } else if (event.type === 'role.updated' || event.type === 'role.deleted') {
        // HTTP requests see the role's new permissions at once; a live socket keeps the ones it connected with.
        this.options.verifier.forgetRole(event.subjectId);
      } else if (event.type === 'user.updated' && (event.payload as { changed?: string[] }).changed?.includes('active')) {
        this.options.verifier.forgetUser(event.subjectId);
        for (const [keyId, set] of this.watchers) {
          for (const watcher of set) if (watcher.session.userId === event.subjectId) affected.add(keyId);
        }
      }
    }
    if (affected.size) void this.check([...affected]);
  }

  close(): void {
    clearInterval(this.timer);
    for (const [keyId, set] of this.watchers) for (const watcher of set) this.unwatch(keyId, watcher);
  }

  /** Reads the keys' standing and ends the sessions of those that stopped working. Checks run one at a time. */
  private check(keyIds: string[]): Promise<void> {
    if (!keyIds.length) return this.checking;
    this.checking = this.checking.then(async () => {
      try {
        const ids = keyIds.filter((id) => this.watchers.has(id));
        if (!ids.length) return;
        const rows = await this.options.prisma.apiKey.findMany({ where: { id: { in: ids } }, select: { id: true, ...keyStandingSelect } });
        const standing = new Map(rows.map((row) => [row.id, keyEnded({ ...row, userActive: row.user?.active ?? null })]));
        for (const id of ids) {
          // A key that is gone (its workspace was deleted) ends like a revoked one.
          const reason = standing.has(id) ? standing.get(id)! : 'revoked';
          if (!reason) continue;
          this.options.verifier.forget(id);
          this.endAll(id, reason);
        }
      } catch (error) {
        // The next periodic check tries again.
        this.options.logger.warn('live session check failed', describeError(error));
      }
    });
    return this.checking;
  }

  private armExpiry(watcher: Watcher): void {
    const expiresAt = watcher.session.expiresAt?.getTime();
    if (expiresAt === undefined) return;
    const delay = Math.max(0, expiresAt - Date.now());
    watcher.expiry = setTimeout(() => {
      if (delay >= MAX_TIMER_MS) return this.armExpiry(watcher);
      this.endOne(watcher, 'expired');
    }, Math.min(delay, MAX_TIMER_MS));
    watcher.expiry.unref();
  }

  private endAll(keyId: string, reason: SessionEndReason): void {
    for (const watcher of [...(this.watchers.get(keyId) ?? [])]) this.endOne(watcher, reason);
  }

  private endOne(watcher: Watcher, reason: SessionEndReason): void {
    this.unwatch(watcher.session.apiKeyId!, watcher);
    try {
      watcher.end(reason);
    } catch (error) {
      this.options.logger.error('ending a live session failed', describeError(error));
    }
  }

  private unwatch(keyId: string, watcher: Watcher): void {
    const set = this.watchers.get(keyId);
    if (!set?.delete(watcher)) return;
    if (watcher.expiry) clearTimeout(watcher.expiry);
    if (set.size) return;
    this.watchers.delete(keyId);
    this.unfollow(watcher.session.workspaceId);
  }

  /** Listens to a workspace's events on the bus while one of its keys has a live session here. */
  private follow(workspaceId: string): void {
    const followed = this.workspaces.get(workspaceId);
    if (followed) return void followed.keys++;
    const unsubscribe = this.options.bus.subscribe(workspaceId, (events) => this.notice(events));
    this.workspaces.set(workspaceId, { keys: 1, unsubscribe });
  }

  private unfollow(workspaceId: string): void {
    const followed = this.workspaces.get(workspaceId);
    if (!followed || --followed.keys > 0) return;
    followed.unsubscribe();
    this.workspaces.delete(workspaceId);
  }
}
