import { queryRawIn } from '@crm/db';
import type { CommandScope, CommitHook } from '../../command.js';
import type { EventCause, PendingEvent } from '../../events.js';
import { customerOf, reactingScope } from '../../command.js';
import { workspaceCatalog } from '../../custom-objects/workspace-catalog.js';
import { CrmError } from '../../errors.js';
import type { ObjectCatalog } from '../../objects/catalog.js';
import { coreCatalog } from '../../objects/core-catalog.js';
import type { FilterNode } from '../../objects/filter/filter-node.js';
import { matchingRowsSql, sqlFilterContext } from '../../objects/sql/matching-rows.js';
import { segmentFilterNode } from './segment-filter.js';
import { announceTrashedMembers } from './static-members.js';
import type { WorkspaceFactCache, WorkspaceFactCacheOptions } from '../../workspace-fact-cache.js';

/** Events after which every segment is recomputed in full (they move many customers at once, or none named). */
const WHOLE_WORKSPACE = new Set(['clv.model_fitted', 'orders.imported']);

interface SegmentRow {
  id: string;
  name: string;
  kind: 'FILTER' | 'STATIC';
  filter: unknown;
}

/**
 * Brings a segment's stored membership up to date and emits `segment.entered` / `segment.left` for the difference, in
 * ONE statement: the matching customers (the read engine's filter compiler, so custom fields and relation fields
 * filter as in `customers(filter:)`), the members that no longer match deleted, the new ones inserted, both returned.
 * `only` restricts the work to some customers (a command's). Membership is the workspace's: tenancy and the trash
 * apply, not the permissions of the key whose command caused the refresh. For FILTER segments only (a STATIC
 * segment's members are changed by hand, static-members.ts): its callers skip STATIC ones.
 */
export async function refreshSegmentMembership(
  scope: CommandScope,
  segment: SegmentRow,
  only?: readonly string[],
  catalog?: ObjectCatalog,
  node?: FilterNode,
): Promise<{ entered: number; left: number }> {
  const objects = catalog ?? (await workspaceCatalog(scope.tx, scope.session.workspaceId));
  const context = sqlFilterContext(objects, scope.session.workspaceId);
  const { params, workspace } = context;
  const matching = matchingRowsSql(context, objects.get('Customer'), node ?? segmentFilterNode(objects, segment.filter), 'c');
  const segmentId = params.add(segment.id, 'uuid');
  const some = only ? params.add([...only], 'uuid[]') : null;
  // A segment turned STATIC since the caller read it as FILTER (a concurrent updateSegment) is left alone.
  const stillFilter = `EXISTS (SELECT 1 FROM "Segment" s WHERE s."id" = ${segmentId} AND s."kind" = 'FILTER')`;
  const changes = await queryRawIn<{ change: 'entered' | 'left'; customerId: string }>(
    scope.tx,
    `WITH target AS (${matching}${some ? ` AND c."id" = ANY(${some})` : ''}),
     gone AS (
       DELETE FROM "SegmentMember" m
        WHERE m."segmentId" = ${segmentId}${some ? ` AND m."customerId" = ANY(${some})` : ''}
          AND NOT EXISTS (SELECT 1 FROM target WHERE target.id = m."customerId") AND ${stillFilter}
       RETURNING m."customerId"),
     joined AS (
       INSERT INTO "SegmentMember" ("segmentId", "customerId", "workspaceId")
       SELECT ${segmentId}, id, ${workspace} FROM target WHERE ${stillFilter}
       ON CONFLICT ("segmentId", "customerId") DO NOTHING
       RETURNING "customerId")
     SELECT 'left' AS change, "customerId" FROM gone
     UNION ALL
     SELECT 'entered', "customerId" FROM joined
     ORDER BY 1, 2`,
    ...params.values,
  );
  for (const { change, customerId } of changes) {
    scope.emit(change === 'entered' ? 'segment.entered' : 'segment.left', { type: 'Customer', id: customerId }, { segmentId: segment.id, segment: segment.name });
  }
  return { entered: changes.filter((c) => c.change === 'entered').length, left: changes.filter((c) => c.change === 'left').length };
}

/** The objects a filter reaches through relations (a segment on `contracts: { some: … }` reaches `Contract`). */
function reachedObjects(node: FilterNode, into = new Set<string>()): Set<string> {
  switch (node.kind) {
    case 'and':
    case 'or':
      node.items.forEach((item) => reachedObjects(item, into));
      break;
    case 'not':
      reachedObjects(node.item, into);
      break;
    case 'toOne':
    case 'toMany':
      into.add(node.target.name);
      reachedObjects(node.item, into);
      break;
  }
  return into;
}

/** Whether a workspace has saved segments, per process: what every customer command asks before refreshing them. */
export const segmentPresence = (): WorkspaceFactCacheOptions => ({ changedBy: (event) => event.type === 'segment.created' || event.type === 'segment.deleted' });

/**
 * Before-commit hook of every command: when the command changed customers (events naming a customer) or rescored
 * them (a fit, an import), the saved segments' membership is brought up to date in the same transaction, so the
 * membership events commit with the change that caused them. A change of a custom record (whose events name no
 * customer) refreshes in full the segments whose filter reaches its object. With `presence` (the command runner's),
 * a workspace known to have no segments pays nothing: the fact is read with the segments themselves, and forgotten
 * when a segment is created or deleted here or on another instance (workspace-fact-cache.ts). STATIC segments are not
 * recomputed; a customer trashed or restored leaves or re-enters them (`announceTrashedMembers`).
 */
export function refreshSegmentsBeforeCommit(presence?: WorkspaceFactCache<boolean>): CommitHook {
  return async (scope, events) => {
    const relevant = events.filter((e) => !e.type.startsWith('segment.'));
    if (!relevant.length) return;
    const whole = relevant.some((e) => WHOLE_WORKSPACE.has(e.type));
    const customers = whole ? undefined : [...new Set(relevant.map(customerOf).filter((id): id is string => id !== null))];
    // Custom records' objects (core's objects without a customer, such as a company, refresh nothing, as before).
    const touched = new Set(relevant.filter((e) => customerOf(e) === null && !coreCatalog.has(e.subjectType)).map((e) => e.subjectType));
    if (customers && !customers.length && !touched.size) return;
    let segments: SegmentRow[] | undefined;
    const read = async () => (segments = await savedSegments(scope)).length > 0;
    // This transaction's own segment changes are not in the cache yet.
    const any = presence && !presence.changedBy(events) ? await presence.get(scope.session.workspaceId, read) : await read();
    if (!any) return;
    const reacting = reactingTo(scope, relevant);
    await refreshSegments(reacting, customers, touched, segments);
    await announceTrashedMembers(reacting, relevant);
  };
}

/** Who a customer's membership events are signed by, from the transaction's events about that customer. */
interface Origin {
  actor?: string;
  cause?: EventCause;
  /** The customer's events carry more than one actor or chain (steps of several runs in one transaction). */
  shared: boolean;
  /** The deepest of their chains; an event acting as an actor outside any chain counts as the chain it begins. */
  deepest?: EventCause;
}

const chainOf = (event: PendingEvent): EventCause | undefined => event.cause ?? (event.actor ? { causedBy: event.actor, chainDepth: 0 } : undefined);
const sameCause = (a?: EventCause, b?: EventCause) => a?.causedBy === b?.causedBy && a?.chainDepth === b?.chainDepth;
/**
 * Whether `chain` goes before `than` as a shared event's chain: deeper, or as deep with a `causedBy` that sorts
 * later, so that the order in which the transaction's steps ran does not decide between equally deep chains.
 */
const deeper = (chain: EventCause, than?: EventCause) =>
  !than || chain.chainDepth > than.chainDepth || (chain.chainDepth === than.chainDepth && chain.causedBy > than.causedBy);

/**
 * The scope whose `emit` signs a customer's membership event as the transaction's events about that customer are
 * signed (`PendingEvent.actor`, `.cause`): a workflow's step that moves a customer into a segment is who moved them, so
 * a workflow on `segment.entered` sees its own change (or a chain one deeper) instead of a new chain by the session's
 * actor, which two workflows undoing each other would loop on without end. When those events carry more than one
 * actor or chain (two runs' steps on one customer in one batch), no one of them made the move alone: the event is the
 * session's (no step's own change), in the deepest of their chains (so a loop is still cut at the depth limit).
 * Customers no such event names (a refresh for every customer, set off by records that name none: a custom object's)
 * are signed as the transaction's events all together are: by their one actor and chain, or, when several, in the
 * deepest chain (a loop through such a segment is cut at the depth limit in a claimed batch too); a person's
 * transaction, whose events name no other actor, keeps the session's. No statement: the events' INSERT.
 */
function reactingTo(scope: CommandScope, events: readonly PendingEvent[]): CommandScope {
  const origins = new Map<string, Origin>();
  let all: Origin | undefined;
  for (const event of events) {
    all = withEvent(all, event);
    const customer = customerOf(event);
    if (customer !== null) origins.set(customer, withEvent(origins.get(customer), event));
  }
  const signs = (origin: Origin | undefined) => Boolean(origin && (origin.actor || origin.cause));
  if (!signs(all)) return scope;
  return {
    ...scope,
    emit: (type, subject, payload) => {
      const origin = subject.type === 'Customer' ? (origins.get(subject.id) ?? all) : undefined;
      const signedBy = origin && (origin.shared ? { cause: origin.deepest } : origin);
      (signedBy && signs(origin) ? reactingScope(scope, signedBy) : scope).emit(type, subject, payload);
    },
  };
}

/** `origin` with one more of its events. */
function withEvent(origin: Origin | undefined, event: PendingEvent): Origin {
  const chain = chainOf(event);
  if (!origin) return { actor: event.actor, cause: event.cause, shared: false, deepest: chain };
  if (event.actor !== origin.actor || !sameCause(event.cause, origin.cause)) origin.shared = true;
  if (chain && deeper(chain, origin.deepest)) origin.deepest = chain;
  return origin;
}

const savedSegments = (scope: CommandScope): Promise<SegmentRow[]> =>
  scope.tx.segment.findMany({ select: { id: true, name: true, kind: true, filter: true }, orderBy: { createdAt: 'asc' } });

/**
 * Refreshes every FILTER segment of the workspace (for some customers, or all; STATIC ones are never recomputed). With `touched` (objects changed
 * without naming a customer), a segment whose filter reaches one of them is refreshed for all customers. A segment
 * whose filter no longer parses (a field it named was deleted with `force`, or archived) keeps its members as they
 * are until its filter is replaced.
 */
export async function refreshSegments(
  scope: CommandScope,
  customers?: readonly string[],
  touched: ReadonlySet<string> = new Set(),
  /** The workspace's segments when the caller has read them already. */
  read?: readonly SegmentRow[],
): Promise<void> {
  const segments = (read ?? (await savedSegments(scope))).filter((segment) => segment.kind === 'FILTER');
  if (!segments.length) return;
  const catalog = await workspaceCatalog(scope.tx, scope.session.workspaceId);
  for (const segment of segments) {
    let node: FilterNode;
    try {
      node = segmentFilterNode(catalog, segment.filter);
    } catch (error) {
      if (error instanceof CrmError && error.code === 'BAD_USER_INPUT') continue;
      throw error;
    }
    const all = !customers || [...reachedObjects(node)].some((name) => touched.has(name));
    if (!all && !customers.length) continue;
    await refreshSegmentMembership(scope, segment, all ? undefined : customers, catalog, node);
  }
}
