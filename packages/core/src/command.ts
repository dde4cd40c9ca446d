import { CommandTransaction, DeadlineExceededError, directTransactionsOf, executeRawIn, type PrismaClient, restrictRows, type Role, type ScopedPrisma, type ScopedTransaction, scopeToWorkspace, timeLeftMs, workspaceFilter } from '@crm/db';
import type { FieldUsageExtension } from './custom-fields/field-usage.js';
import type { ObjectDeclaration } from './objects/declaration.js';
import type { Permissions } from './permissions/permissions.js';
import { rowAccessOf } from './permissions/write-guard.js';
import { isRetryableConflict } from './database-errors.js';
import { insertStatements } from './insert-rows.js';
import type { CustomField } from './custom-fields/definition.js';
import { loadCustomFields } from './custom-fields/load-definitions.js';
import { isUuid } from './uuid.js';
import { fromPrismaError } from './errors.js';
import type { CrmEventMap, CrmEventType, EventCause, PendingEvent, RecordedEvent } from './events.js';
import type { PersonalDataExtension } from './personal-data-extensions.js';
import { refreshSegmentsBeforeCommit, segmentPresence } from './services/segments/membership.js';
import { WorkspaceFactCache, type WorkspaceFactCacheOptions } from './workspace-fact-cache.js';
import { requireRole, type Session } from './session.js';

/** What a command body gets: the workspace-scoped transaction and a way to record events. */
export interface CommandScope {
  tx: ScopedTransaction;
  session: Session;
  /** Records an event; it is written in this transaction and published only after commit. */
  emit<K extends CrmEventType>(type: K, subject: { type: string; id: string }, payload: CrmEventMap[K]): void;
  /** Plugins' parts in a person's data, for merges, exports and erasures (docs/data.md). */
  personalData: readonly PersonalDataExtension[];
  /** Plugins' stored things that name custom fields, asked when one is deleted (docs/custom-fields.md). */
  fieldUsage?: readonly FieldUsageExtension[];
  /** The installed plugins' objects: a workspace's catalog with them parses plugins' stored filters (`workspaceCatalog`). */
  pluginObjects?: readonly ObjectDeclaration[];
  /**
   * The key's permissions when the caller has them (API keys; not system or plugin sessions). The data layer applies
   * them to every write; commands ask them about what it cannot see, such as custom values in a JSON column.
   */
  permissions?: Permissions;
  /**
   * The same transaction acting as another actor (of the same role): the events emitted through it name that actor.
   * A plugin doing several of its own items in one transaction says which item caused which change (the workflows
   * plugin's steps of several runs). Offered by the command runner.
   */
  actingAs?(actor: string): CommandScope;
  /**
   * The same transaction handling an event of a causal chain: the events emitted through it carry `cause`
   * (`EventCause`). The plugin host uses it for each event it delivers to a subscriber; plugins never set it.
   */
  causedBy?(cause: EventCause): CommandScope;
  /**
   * The workspace's live custom-field definitions of an object (its name, or a custom object's id), from the runner's
   * per-workspace cache (forgotten on `metadata.changed`); read in the transaction when this command changed them.
   */
  definitions?(object: string): Promise<CustomField[]>;
}

/**
 * The scope a reaction to `event` inside the same command emits through: as the event's actor (`actingAs`) and in its
 * causal chain at its depth (`causedBy`: a before-commit hook's or the core's reaction in the same transaction is no
 * subscriber hop). So what a hook emits about a workflow step's change is the step's, one chain with it. No statement.
 */
export function reactingScope(scope: CommandScope, event: Pick<PendingEvent, 'actor' | 'cause'>): CommandScope {
  let as = scope;
  if (event.actor) as = as.actingAs?.(event.actor) ?? as;
  if (event.cause) as = as.causedBy?.(event.cause) ?? as;
  return as;
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
  /** Plugins' merge, export and erasure handlers of customers' data. */
  personalData?: readonly PersonalDataExtension[];
  /** Plugins' answers to "which of your stored things use this custom field?". */
  fieldUsage?: readonly FieldUsageExtension[];
  /** The installed plugins' objects (the plugin host's `objects`), offered to commands as `scope.pluginObjects`. */
  pluginObjects?: readonly ObjectDeclaration[];
  /** Interactive transaction timeout, outside requests (a request's transaction ends at its deadline). @default 30000 */
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
  private readonly factCaches: WorkspaceFactCache<unknown>[] = [];
  /** Every live custom-field definition of a workspace (all objects), for the checks of custom values. */
  private readonly definitionCache = this.cacheFacts<CustomField[]>({ changedBy: (event) => event.type === 'metadata.changed' });
  constructor(private readonly options: CommandRunnerOptions) {
    // Saved segments' membership follows every change (services/segments/membership.ts); whether a workspace has
    // any is a cached fact, so that workspaces without segments pay nothing for it.
    this.hooks = [refreshSegmentsBeforeCommit(this.cacheFacts<boolean>(segmentPresence())), ...(options.beforeCommit ?? [])];
  }

  /**
   * A per-workspace fact cached in this process (workspace-fact-cache.ts), forgotten when an event that changes it
   * commits through this runner or reaches {@link notice}.
   */
  cacheFacts<T>(options: WorkspaceFactCacheOptions): WorkspaceFactCache<T> {
    const cache = new WorkspaceFactCache<T>(options);
    this.factCaches.push(cache as WorkspaceFactCache<unknown>);
    return cache;
  }

  /**
   * Committed events of other instances or processes (the gateway passes every batch its event bus delivers): the
   * cached facts they change are read again.
   */
  notice(events: readonly { workspaceId: string; type: string; payload?: unknown }[]): void {
    for (const cache of this.factCaches) cache.notice(events);
  }

  /** Adds a before-commit hook (plugins' validations). */
  addHook(hook: CommitHook): void {
    this.hooks.push(hook);
  }

  /**
   * A caller for a session. With the key's `permissions`, its reads and writes go through them in the data layer
   * (own-records rows, unreadable objects, per-object and per-field writes); without, only the role is checked
   * (system and plugin sessions).
   */
  callerFor(session: Session, permissions?: Permissions): Caller {
    const scoped = scopeToWorkspace(this.options.prisma, session.workspaceId);
    const db = permissions?.restrictsRows ? restrictRows(scoped, rowAccessOf(permissions)) : scoped;
    return {
      session,
      db,
      run: (fn, options) => this.run(db, session, fn, options?.role ?? 'MEMBER', permissions),
    };
  }

  private async run<T>(db: ScopedPrisma, session: Session, fn: (scope: CommandScope) => Promise<T>, role: Role, permissions?: Permissions): Promise<T> {
    requireRole(session, role);
    // Within a request, the transaction must be over by the request's deadline (Prisma rolls it back otherwise).
    const left = timeLeftMs();
    if (left !== null && left <= 0) throw new DeadlineExceededError();
    const timeout = left ?? this.options.timeoutMs ?? 30_000;
    let written: WrittenEvent[] = [];
    let result: T;
    // On PostgreSQL the command opens its transaction itself (Prisma's interactive transaction only if the body uses
    // Prisma on `tx`: direct-transaction.ts), its raw statements go to the transaction's connection, its events are
    // inserted in the COMMIT's own write and their numbers (given at commit) read in it too (command-transaction.ts).
    // On PGlite, Prisma's interactive transaction from the start.
    const command = new CommandTransaction();
    const direct = directTransactionsOf(this.options.prisma);
    const options = { timeout, maxWait: Math.min(timeout, 10_000) };
    const body = async (tx: ScopedTransaction): Promise<T> => {
      command.bind(tx);
      const pending: PendingEvent[] = [];
      const scopeAs = (actor?: string, cause?: EventCause): CommandScope => ({
        tx,
        session: actor ? { ...session, actor } : session,
        personalData: this.options.personalData ?? [],
        ...(this.options.fieldUsage ? { fieldUsage: this.options.fieldUsage } : {}),
        ...(this.options.pluginObjects ? { pluginObjects: this.options.pluginObjects } : {}),
        ...(permissions ? { permissions } : {}),
        emit: (type, subject, payload) => {
          pending.push({ type, subjectType: subject.type, subjectId: subject.id, payload, ...(actor ? { actor } : {}), ...(cause ? { cause } : {}) } as PendingEvent);
        },
        actingAs: (other) => scopeAs(other, cause),
        causedBy: (chain) => scopeAs(actor, chain),
        definitions: async (object) => {
          // A definition this transaction changed is not in the cache yet.
          if (this.definitionCache.changedBy(pending)) return loadCustomFields(tx, object);
          const all = await this.definitionCache.get(session.workspaceId, () => loadCustomFields(tx));
          return all.filter((field) => field.object === object);
        },
      });
      const scope = scopeAs();
      const value = await fn(scope);
      for (const hook of this.hooks) await hook(scope, pending);
      written = await writeEvents(tx, session, pending, command);
      if (written.length && this.options.onCommitted) command.readAfterCommit(NUMBERS_SQL, numbersParams(written));
      return value;
    };
    const attempt = () =>
      direct
        ? command.runDirect(direct, (inside, opened) => db.$transaction(inside, opened), body as (tx: object) => Promise<T>, options)
        : command.run(() => db.$transaction(body, options));
    try {
      try {
        result = await attempt();
      } catch (error) {
        // A deadlock or serialization failure rolled everything back: the command runs once more from the start
        // (it sees the other transaction's outcome); a second loss is reported as CONFLICT.
        if (!isRetryableConflict(error)) throw error;
        result = await attempt();
      }
    } catch (error) {
      throw fromPrismaError(error);
    }
    if (written.length) this.notice(written);
    if (written.length && this.options.onCommitted) {
      // Committed: reading the numbers back can only fail if the database went away, and then the relay
      // publishes these events once it is back (they are in the outbox, unpublished).
      const recorded = await numbered(db, written, command.rows).catch(() => null);
      if (recorded) this.options.onCommitted(recorded);
    }
    return result;
  }
}

/** An event as the command inserted it: its number and time are the database's, given at commit (read back after it). */
type WrittenEvent = Omit<RecordedEvent, 'seq' | 'occurredAt'>;

/**
 * Inserts the command's events, unnumbered: PostgreSQL numbers them at commit (the deferred trigger
 * `event_numbered_at_commit`, see the `Event.seq` column), taking the lock on the workspace's counter row
 * (`EventSequence`) that makes `seq` gapless and in commit order only for the commit itself. One statement however many events (a bulk call has thousands),
 * sent with the COMMIT where the transaction's connection allows (nothing in the command reads them back); its failure
 * fails the COMMIT, and nothing of the command is written.
 */
async function writeEvents(tx: ScopedTransaction, session: Session, pending: PendingEvent[], command: CommandTransaction): Promise<WrittenEvent[]> {
  if (!pending.length) return [];
  // No `occurredAt`: the column's default, the database's time of the INSERT (`statement_timestamp()`, sent with the
  // COMMIT), never the gateway's clock, which may be skewed from it (docs/architecture.md, "Events").
  const events = pending.map((event) => ({
    workspaceId: session.workspaceId,
    type: event.type,
    subjectType: event.subjectType,
    subjectId: event.subjectId,
    customerId: customerOf(event),
    actor: event.actor ?? session.actor,
    // Always given (null and 0 for a chain's first event): every event of the command goes in one INSERT.
    causedBy: event.cause?.causedBy ?? null,
    chainDepth: event.cause?.chainDepth ?? 0,
    // As stored and read back (dates as ISO text, undefined left out): what subscribers and webhooks get.
    payload: JSON.parse(JSON.stringify(event.payload ?? {})) as unknown,
  }));
  const { ids, statements } = insertStatements('Event', events);
  const [only] = statements;
  if (!(statements.length === 1 && command.writeWithCommit(only!.text, only!.values))) {
    for (const { text, values } of statements) await executeRawIn(tx, text, ...values);
  }
  return events.map(({ customerId: _, ...event }, i) => ({ id: ids[i]!, ...event }));
}

/**
 * The events' numbers and times (both the database's), read after commit (raw: no query compiler on this path; the
 * workspace condition written here, as a filter: the events are found by key however many the workspace has,
 * `workspaceFilter`).
 */
const NUMBERS_SQL = `SELECT "id"::text AS "id", "seq", "occurredAt" FROM "Event" WHERE "id" = ANY($1::uuid[]) AND ${workspaceFilter('"workspaceId"', '$2::uuid')}`;

function numbersParams(written: WrittenEvent[]): unknown[] {
  return [written.map((event) => event.id), written[0]!.workspaceId];
}

/**
 * The committed events with the positions and times the database gave them, in that order: from the read sent with
 * the COMMIT when there was one and it found them all, else read now.
 */
async function numbered(db: ScopedPrisma, written: WrittenEvent[], withCommit: Promise<Record<string, unknown>[]> | null): Promise<RecordedEvent[]> {
  const sent = withCommit ? await withCommit : [];
  const rows =
    sent.length === written.length && sent.every((row) => row.seq != null)
      ? sent.map((row) => ({ id: String(row.id), seq: BigInt(row.seq as string), occurredAt: row.occurredAt as Date }))
      : await db.$queryRawUnsafe<{ id: string; seq: bigint; occurredAt: Date }[]>(NUMBERS_SQL, ...numbersParams(written));
  const stored = new Map(rows.map((row) => [row.id, row]));
  return written
    .map((event) => {
      const row = stored.get(event.id);
      if (row?.seq == null) throw new Error(`Event ${event.id} committed without a seq`);
      return { ...event, seq: row.seq, occurredAt: new Date(row.occurredAt) };
    })
    .sort((x, y) => (x.seq < y.seq ? -1 : 1));
}


/** The customer whose history the event belongs to: a Customer subject, or the payload's `customerId`. */
export function customerOf(event: Pick<PendingEvent, 'subjectType' | 'subjectId' | 'payload'>): string | null {
  if (event.subjectType === 'Customer') return event.subjectId;
  const named = (event.payload as { customerId?: unknown } | null)?.customerId;
  return typeof named === 'string' && isUuid(named) ? named : null;
}
