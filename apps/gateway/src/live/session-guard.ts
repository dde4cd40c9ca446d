import { type ApiKeyVerifier, keyEnded, keySessionSelect, keyStandingSelect, type RecordedEvent, type Session, sessionOfKey } from '@crm/core';
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

/** What a watcher of a live session is told. */
export interface SessionHandlers {
  /** Called once when the session's key stops working (the watch ends with it). */
  end?: (reason: SessionEndReason) => void;
  /**
   * Called when the key's access changed while it still works (its custom role was changed, or the key was moved to
   * another role or given other scopes), with the session the key opens now: apply it to what runs next and to what
   * live subscriptions deliver next.
   */
  follow?: (session: Session) => void;
}

interface Watcher extends SessionHandlers {
  session: Session;
  /** `accessFingerprint(session)`, kept (the periodic check compares every watcher's). */
  fingerprint: string;
  expiry: NodeJS.Timeout | null;
}

/**
 * What decides a session's access (role, custom role and its grants, scopes, user, expiry), as a string: two
 * sessions with the same fingerprint are served alike.
 */
export function accessFingerprint(session: Session): string {
  const role = session.customRole ? [session.customRole.id, session.customRole.grants] : null;
  return JSON.stringify([session.role, role, session.scopes ?? [], session.userId ?? null, session.expiresAt?.getTime() ?? null]);
}

/** Longest delay setTimeout accepts (about 24.8 days); a later expiry is caught by a later re-arm. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Ends live sessions (graphql-ws connections, SSE streams) whose API key stops working: revoked, expired, or linked
 * to a user who was deactivated; and hands those whose key's access changed (role updated, key moved to another role
 * or scopes) the session the key opens now. Revocations, role, key and user changes arrive as events on the bus (from
 * every instance, through Redis when configured) and are acted on at once; a periodic check of the watched keys backs
 * that up; expiry is a timer per session.
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

  /**
   * Calls `end` once when the session's key stops working, and `follow` whenever its access changes. Returns a
   * function that stops watching.
   */
  watch(session: Session, handlers: SessionHandlers): () => void {
    const keyId = session.apiKeyId;
    if (!keyId) return () => {};
    const watcher: Watcher = { ...handlers, session, fingerprint: accessFingerprint(session), expiry: null };
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
   * sees the change at once) and re-checks the live sessions of those keys (ending or following them).
   */
  notice(events: readonly RecordedEvent[]): void {
    const affected = new Set<string>();
    for (const event of events) {
      if (event.type === 'apikey.revoked') {
        this.options.verifier.forget(event.subjectId);
        if (this.watchers.has(event.subjectId)) affected.add(event.subjectId);
      } else if (event.type === 'role.updated' || event.type === 'role.deleted') {
        this.options.verifier.forgetRole(event.subjectId);
        for (const [keyId, set] of this.watchers) {
          for (const watcher of set) if (watcher.session.customRole?.id === event.subjectId) affected.add(keyId);
        }
      } else if (event.type === 'apikey.updated') {
        this.options.verifier.forget(event.subjectId);
        if (this.watchers.has(event.subjectId)) affected.add(event.subjectId);
      } else if (event.type === 'user.updated' && (event.payload as { changed?: string[] }).changed?.includes('active')) {
        this.options.verifier.forgetUser(event.subjectId);
        for (const [keyId, set] of this.watchers) {
          for (const watcher of set) if (watcher.session.userId === event.subjectId) affected.add(keyId);
        }
      }
    }
    if (affected.size) void this.check([...affected]);
  }

  /**
   * Re-reads a key now and applies what changed to all its live sessions (ends them, or hands them its current
   * session), for a caller that saw the key verify differently from the session it holds.
   */
  recheck(apiKeyId: string): Promise<void> {
    return this.check([apiKeyId]);
  }

  close(): void {
    clearInterval(this.timer);
    for (const [keyId, set] of this.watchers) for (const watcher of set) this.unwatch(keyId, watcher);
  }

  /**
   * Reads the keys' standing and access: ends the sessions of those that stopped working, hands the others their
   * key's current session when their access changed. Checks run one at a time.
   */
  private check(keyIds: string[]): Promise<void> {
    if (!keyIds.length) return this.checking;
    this.checking = this.checking.then(async () => {
      try {
        const ids = keyIds.filter((id) => this.watchers.has(id));
        if (!ids.length) return;
        const rows = await this.options.prisma.apiKey.findMany({ where: { id: { in: ids } }, select: { ...keySessionSelect, ...keyStandingSelect } });
        const byId = new Map(rows.map((row) => [row.id, row]));
        for (const id of ids) {
          const row = byId.get(id);
          // A key that is gone (its workspace was deleted) ends like a revoked one.
          const reason = row ? keyEnded({ ...row, userActive: row.user?.active ?? null }) : 'revoked';
          if (reason) {
            this.options.verifier.forget(id);
            this.endAll(id, reason);
          } else {
            this.followAll(id, sessionOfKey(row!));
          }
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

  /** Hands every session of the key whose access differs the key's current session (one object for all of them). */
  private followAll(keyId: string, current: Session): void {
    const fingerprint = accessFingerprint(current);
    for (const watcher of [...(this.watchers.get(keyId) ?? [])]) {
      if (watcher.fingerprint === fingerprint) continue;
      this.options.verifier.forget(keyId);
      watcher.session = current;
      watcher.fingerprint = fingerprint;
      if (watcher.expiry) clearTimeout(watcher.expiry);
      this.armExpiry(watcher);
      try {
        watcher.follow?.(current);
      } catch (error) {
        this.options.logger.error('applying a key’s new permissions to a live session failed', describeError(error));
      }
    }
  }

  private endAll(keyId: string, reason: SessionEndReason): void {
    for (const watcher of [...(this.watchers.get(keyId) ?? [])]) this.endOne(watcher, reason);
  }

  private endOne(watcher: Watcher, reason: SessionEndReason): void {
    this.unwatch(watcher.session.apiKeyId!, watcher);
    try {
      watcher.end?.(reason);
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
