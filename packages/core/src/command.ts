import { type PrismaClient, type Role, type ScopedPrisma, type ScopedTransaction, scopeToWorkspace } from '@crm/db';
import { fromPrismaError } from './errors.js';
import type { CrmEventMap, CrmEventType, PendingEvent, RecordedEvent } from './events.js';
import { refreshSegmentsBeforeCommit } from './services/segments/membership.js';
import { requireRole, type Session } from './session.js';

/** What a command body gets: the workspace-scoped transaction and a way to record events. */
export interface CommandScope {
  tx: ScopedTransaction;
  session: Session;
  /** Records an event; it is written in this transaction and published only after commit. */
  emit<K extends CrmEventType>(type: K, subject: { type: string; id: string }, payload: CrmEventMap[K]): void;
}

/**
 * A synchronous hook run inside a command's transaction, after its change and before commit, with the events the
 * command emitted. Throwing rolls the whole command back (plugins use this to validate or veto).
 */
export type CommitHook = (scope: CommandScope, events: readonly PendingEvent[]) => Promise<void>;

export interface CommandRunnerOptions {
  prisma: PrismaClient;
  /** Called after commit with the events as stored (the gateway publishes them). Must not throw. */
  onCommitted?: (events: RecordedEvent[]) => void;
  beforeCommit?: readonly CommitHook[];
  /** Interactive transaction timeout. @default 30000 */
  timeoutMs?: number;
}

/** A caller of the domain: its session, a scoped client for reads, and `run` for writes. */
export interface Caller {
  readonly session: Session;
  /** Workspace-scoped Prisma client for reads. */
  readonly db: ScopedPrisma;
  /** Runs `fn` as one command: one transaction, role checked, events recorded with it. */
  run<T>(fn: (scope: CommandScope) => Promise<T>, options?: { role?: Role }): Promise<T>;
}

export class CommandRunner {
  private readonly hooks: CommitHook[];
  constructor(private readonly options: CommandRunnerOptions) {
    // Saved segments' membership follows every change (services/segments/membership.ts).
    this.hooks = [refreshSegmentsBeforeCommit, ...(options.beforeCommit ?? [])];
  }

  /** Adds a before-commit hook (plugins' validations). */
  addHook(hook: CommitHook): void {
    this.hooks.push(hook);
  }

  callerFor(session: Session): Caller {
    const db = scopeToWorkspace(this.options.prisma, session.workspaceId);
    return {
      session,
      db,
      run: (fn, options) => this.run(db, session, fn, options?.role ?? 'MEMBER'),
    };
  }

  private async run<T>(db: ScopedPrisma, session: Session, fn: (scope: CommandScope) => Promise<T>, role: Role): Promise<T> {
    requireRole(session, role);
    let recorded: RecordedEvent[] = [];
    let result: T;
    try {
      result = await db.$transaction(
        async (tx) => {
          const pending: PendingEvent[] = [];
          const scope: CommandScope = {
            tx,
            session,
            emit: (type, subject, payload) => {
              pending.push({ type, subjectType: subject.type, subjectId: subject.id, payload } as PendingEvent);
            },
          };
          const value = await fn(scope);
          for (const hook of this.hooks) await hook(scope, pending);
          recorded = await writeEvents(tx, session, pending);
          return value;
        },
        { timeout: this.options.timeoutMs ?? 30_000, maxWait: 10_000 },
      );
    } catch (error) {
      throw fromPrismaError(error);
    }
    if (recorded.length) this.options.onCommitted?.(recorded);
    return result;
  }
}

/**
 * Writes the events last, so the workspace row lock that numbers them is held for as short a time as possible.
 * That lock serialises event-writing commits per workspace, which makes `seq` gapless and in commit order.
 */
async function writeEvents(tx: ScopedTransaction, session: Session, pending: PendingEvent[]): Promise<RecordedEvent[]> {
  if (!pending.length) return [];
  const { eventSeq } = await tx.workspace.update({
    where: { id: session.workspaceId },
    data: { eventSeq: { increment: pending.length } },
    select: { eventSeq: true },
  });
  const first = eventSeq - BigInt(pending.length) + 1n;
  const rows = await tx.event.createManyAndReturn({
    data: pending.map((event, index) => ({
      workspaceId: session.workspaceId,
      seq: first + BigInt(index),
      type: event.type,
      subjectType: event.subjectType,
      subjectId: event.subjectId,
      customerId: customerOf(event),
      actor: session.actor,
      payload: event.payload as object,
    })),
  });
  return rows.map((row) => ({ ...row, payload: row.payload as unknown }));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The customer whose history the event belongs to: a Customer subject, or the payload's `customerId`. */
export function customerOf(event: Pick<PendingEvent, 'subjectType' | 'subjectId' | 'payload'>): string | null {
  if (event.subjectType === 'Customer') return event.subjectId;
  const named = (event.payload as { customerId?: unknown } | null)?.customerId;
  return typeof named === 'string' && UUID.test(named) ? named : null;
}
