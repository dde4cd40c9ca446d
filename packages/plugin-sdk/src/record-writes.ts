// Records written by plugin code in a running transaction (subscribers, jobs, queues): a record of any object with a
// writer — core's, a plugin object's declared `writer`, a workspace's custom object — created or changed through the
// object's own command, with its validation, references, hooks and events. The host, not the plugin, bounds what is
// written: only fields the object declares writable (custom values by their names), and, when the plugin says whose
// rights it acts with (`as`: a built-in role or a custom role of the workspace), only what that role may write.
import {
  badInput,
  BULK_LIMIT,
  bulkUpdate,
  callerIn,
  type Caller,
  type CommandScope,
  CrmError,
  CUSTOM_VALUES_COLUMN,
  type FilterNode,
  forbidden,
  grantsWrite,
  matchingRowsSql,
  hasRole,
  isCrmError,
  isUuid,
  Permissions,
  type RoleGrants,
  rowAccessOf,
  type Session,
  sqlFilterContext,
  writerOf,
} from '@crm/core';
import { queryRawIn, type Role, restrictTransaction } from '@crm/db';
import type { ObjectCatalog } from '@crm/core';
import type { RecordAccess } from './record-access.js';
import { inSavepoint, inTurn } from './savepoint.js';
import { fieldToWrite } from './writable-fields.js';

/** Whose rights a write is bounded by: a built-in role, or a custom role of the workspace (by id), and a key's scopes. */
export interface ActingRole {
  role: Role;
  customRoleId?: string | null;
  /** The narrower scopes of the key it stands for (`deals:write`, `loyalty.adjustPoints`): none, everything the role allows. */
  scopes?: readonly string[] | null;
  /** The team member the key it stands for is linked to: whose records "own records only" rules of the role mean. */
  userId?: string | null;
}

export interface RecordWriteOptions {
  /**
   * Write with this role's rights (never more than the transaction's own): FORBIDDEN, naming the field, for an object
   * or field the role may not write; a plugin object's writer also needs the role to hold its plugin permission. A
   * custom role is read from the workspace when the write runs (its current grants; FORBIDDEN when it is gone).
   * @default the transaction's own rights (a plugin's background work: ADMIN)
   */
  as?: ActingRole;
}

/** Records written in a running transaction, through each object's own command. */
export interface RecordWrites {
  /**
   * Creates a record of `object` from `values`: fields declared `write: true | 'create'` and the workspace's custom
   * fields by name (a relation field by its name, the related record's id) — a task, a deal, a ticket, a plugin's
   * object with a `writer`, a custom object's record (through an access from `inWorkspace`). BAD_USER_INPUT (with the
   * field) when the object cannot be created this way or a value is refused.
   */
  create(object: string, values: Record<string, unknown>, options?: RecordWriteOptions): Promise<{ id: string }>;
  /**
   * Changes the record `id` of `object` (fields declared `write: true | 'update'`, custom fields): as `create`. NOT_FOUND
   * when the acting role cannot see it; one it could see in the trash: NOT_FOUND saying so (the writer's own NOT_FOUND
   * about a record a value names, for a live record).
   */
  update(object: string, id: string, values: Record<string, unknown>, options?: RecordWriteOptions): Promise<{ id: string }>;
  /**
   * Changes the records related to the record `id` of `object` through its to-many `relation` (a customer's `tasks`)
   * that `filter` (of the related object) matches, all when absent, with the same `values` (checked as `update` checks
   * them). At most `max` (a whole number, 1 to core's `BULK_LIMIT`, else BAD_USER_INPUT naming `max`): more is
   * BAD_USER_INPUT naming `relation`, and nothing changes. A refused record is named by its object and id. The records are found in one
   * statement as the acting role sees them (its rows only; never the trash, never another workspace's) and locked by it
   * (one changed meanwhile so that `filter` no longer matches it is skipped, not overwritten), and written in
   * one bulk write (core's `bulkUpdate` through the object's batch writer: the same few statements for 3 records or 100,
   * each record checked and announced as `update` does it). All or none: one refused record fails the write, naming
   * its id (`extensions.rows`: each refused record's id, field, code), and nothing changes. Returns their ids, by id
   * (none: nothing matched).
   */
  updateRelated(
    object: string,
    id: string,
    relation: string,
    values: Record<string, unknown>,
    options: RecordWriteOptions & { filter?: FilterNode; max: number },
  ): Promise<string[]>;
}

/** Record access with writes bound to a transaction: what subscriber, job and queue contexts carry as `objects`. */
export type RecordObjects = Omit<RecordAccess, 'inWorkspace'> &
  RecordWrites & {
    /** This access with the workspace's own definitions (custom fields and objects), its writes in the same transaction. */
    inWorkspace(db: object, workspaceId: string): Promise<RecordObjects>;
  };

type Scope = Pick<CommandScope, 'tx' | 'emit' | 'session'> & Partial<Pick<CommandScope, 'permissions'>>;

/**
 * The session and permissions work runs with when it acts as `role` (its role's current grants, its scopes): null for
 * ADMIN without scopes (the transaction's own rights). FORBIDDEN when the role is more than the transaction's own or
 * its custom role was deleted.
 */
export async function actingPermissions(
  scope: Pick<CommandScope, 'tx' | 'session'>,
  catalog: ObjectCatalog,
  role: ActingRole | undefined,
): Promise<{ session: Session; permissions: Permissions } | null> {
  const scopes = role?.scopes ?? [];
  if (!role || (role.role === 'ADMIN' && !role.customRoleId && !scopes.length)) return null;
  if (!hasRole(scope.session, role.role)) throw forbidden(`A write cannot act as ${role.role}: more than its transaction's ${scope.session.role}`);
  // The key's own member, not the transaction's: "own records only" means that member's records (none when unlinked).
  const { userId: _transactionMember, ...base } = scope.session;
  let session: Session = { ...base, role: role.role, ...(role.userId ? { userId: role.userId } : {}), ...(scopes.length ? { scopes } : {}) };
  if (role.customRoleId) {
    const found = await (scope.tx as unknown as { customRole: { findUnique(args: object): Promise<{ id: string; name: string; grants: unknown } | null> } }).customRole.findUnique({
      where: { id: role.customRoleId },
      select: { id: true, name: true, grants: true },
    });
    if (!found) throw forbidden('The role this write acts as was deleted');
    const grants = found.grants as RoleGrants;
    session = { ...session, role: grantsWrite(grants) ? 'MEMBER' : 'READ_ONLY', customRole: { id: found.id, name: found.name, grants } };
  }
  return { session, permissions: Permissions.of(session, catalog) };
}

/**
 * The running transaction as `role` would meet it: its session and permissions, and the transaction narrowed by them in
 * the data layer (core's `rowAccessOf`: own records only, hidden objects), so a command or an object's writer run in it
 * reads and writes only the rows a key of that role could. Null when the transaction's own rights apply.
 */
export async function actingScope(
  scope: Pick<CommandScope, 'tx' | 'session'>,
  catalog: ObjectCatalog,
  role: ActingRole | undefined,
): Promise<(Pick<CommandScope, 'tx' | 'session'> & { permissions: Permissions }) | null> {
  const acting = await actingPermissions(scope, catalog, role);
  return acting && { ...acting, tx: restrictTransaction(scope.tx, rowAccessOf(acting.permissions)) };
}

/** Writes of `access`'s objects in the transaction of `scope` (the host's raw scope: the writer emits its own events). */
export function recordWrites(access: RecordAccess, scope: Scope): RecordWrites {
  const objectOf = (name: string) => (access.catalog.has(name) ? access.catalog.get(name) : null);
  const writes: RecordWrites = {
    async create(name, values, options) {
      return write(name, 'create', values, options?.as, (writer, acting, input) => writer.create!(acting, input));
    },
    async update(name, id, values, options) {
      return write(name, 'update', values, options?.as, async (writer, acting, input) => {
        try {
          return await writer.update!(acting, id, input);
        } catch (error) {
          // Not found: when it is the record itself that is gone from the live rows and in the trash, say so, but only
          // when the acting role could see it there (read through its rows, in the workspace): another workspace's
          // record, or one outside "own records only", stays "not found". A live record's NOT_FOUND is about a record
          // it names (an owner, a company, a stage): the writer's own error. Only on this path: a working update reads
          // nothing more. (Not for what is no row id: the read would fail, and abort the transaction, on it.)
          if (!isCrmError(error) || error.code !== 'NOT_FOUND' || !isUuid(id)) throw error;
          if ((await access.read(acting.tx, name, id)) || !(await access.read(acting.tx, name, id, { trashed: true }))) throw error;
          throw new CrmError('NOT_FOUND', `the ${name} ${id} is in the trash; restore it to update it`, error.field ?? undefined);
        }
      });
    },
    async updateRelated(name, id, relationName, values, options) {
      const source = objectOf(name);
      const relation = source?.relations.get(relationName);
      if (!source || relation?.kind !== 'toMany') throw badInput(`relation: ${name} has no to-many relation ${relationName}`, 'relation');
      const { max } = options;
      // Checked before it is written into the statement (a bad one is no LIMIT); as many as a bulk call takes.
      if (!Number.isInteger(max) || max < 1 || max > BULK_LIMIT) throw badInput(`max: a whole number from 1 to ${BULK_LIMIT} (got ${String(max)})`, 'max');
      const target = access.catalog.target(relation);
      // The related records' key: the field of the target holding the record's id (`Task.customerId`).
      const key = [...target.fields.values()].find((field) => field.name === relation.key || (!field.stored && field.column === relation.key));
      if (!key) throw badInput(`relation: ${name}.${relationName} is not kept by a field of ${target.name}`, 'relation');
      return write(target.name, 'update', values, options.as, async (_writer, acting, input, permissions) => {
        const related: FilterNode = { kind: 'and', items: [{ kind: 'compare', field: key, op: 'eq', value: id }, ...(options.filter ? [options.filter] : [])] };
        // The read engine's filter compiler, within the workspace, out of the trash, within the acting role's rows.
        const context = sqlFilterContext(access.catalog, acting.session.workspaceId, permissions);
        // Locked as found (`FOR UPDATE`): a row changed meanwhile by another transaction is re-checked against the filter
        // on its newest version and skipped when it no longer matches (a task completed while its open tasks are cancelled).
        const statement = `${matchingRowsSql(context, target, related, 'r')} ORDER BY r."id" LIMIT ${max + 1} FOR UPDATE OF r`;
        const ids = (await queryRawIn<{ id: string }>(acting.tx, statement, ...context.params.values)).map((row) => row.id);
        if (ids.length > max) throw badInput(`relation: more than ${max} ${target.name} records match (at most ${max}); nothing was changed`, 'relation');
        if (!ids.length) return [];
        try {
          return await bulkUpdate(callerInSavepoint(acting), target, { ids }, input);
        } catch (error) {
          throw refusedRecords(error, target.name, ids);
        }
      });
    },
  };

  async function write<R>(
    name: string,
    action: 'create' | 'update',
    values: Record<string, unknown>,
    role: ActingRole | undefined,
    run: (writer: NonNullable<ReturnType<typeof writerOf>>, scope: CommandScope, input: Record<string, unknown>, permissions: Permissions | null) => Promise<R>,
  ): Promise<R> {
    const object = objectOf(name);
    const writer = object ? writerOf(object) : null;
    if (!object || !writer?.[action]) throw badInput(`object: records of ${name} cannot be ${action === 'create' ? 'created' : 'updated'} here`, 'object');
    const acting = await actingScope(scope, access.catalog, role);
    // Bounded by both the transaction's own permissions (a request's key, the role an action is called `as`) and the role
    // it acts as, over this catalog: permissions computed over the host's catalog have no grant for a workspace's custom
    // object (`inWorkspace`), which would let any write of it through.
    const own = scope.permissions && (scope.permissions.catalog === access.catalog ? scope.permissions : Permissions.of(scope.permissions.session, access.catalog));
    const bounds = [own, acting?.permissions].filter((p): p is Permissions => Boolean(p));
    for (const permissions of bounds) permissions.require(object, action);
    // Declared fields as the writer's input takes them; custom values (and custom relations) under `customFields`.
    const input: Record<string, unknown> = {};
    const custom: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(values)) {
      const to = fieldToWrite(object, field, action, field);
      for (const permissions of bounds) fieldToWrite(object, field, action, field, permissions);
      if (to.custom) custom[field] = value;
      else input[field] = value;
    }
    if (Object.keys(custom).length) input[CUSTOM_VALUES_COLUMN] = custom;
    const commandScope: CommandScope = { ...scope, ...(own ? { permissions: own } : {}), personalData: [], ...(acting ?? {}) };
    // In the transaction's turn: a refused `updateRelated` beside it would roll this write back (savepoint.ts).
    return inTurn(scope.tx, () => run(writer, commandScope, input, acting?.permissions ?? own ?? null));
  }
  return writes;
}

/**
 * A bulk write's refusal (rows by their position) as the related records it names: the records' ids are the step's
 * only handle on them (the caller never listed them). The bulk write's code (BAD_USER_INPUT: not retried as a
 * CONFLICT would be) and the first record's field; every refused record in `extensions.rows` with its id and its own
 * code. Anything else: as it is.
 */
function refusedRecords(error: unknown, object: string, ids: readonly string[]): unknown {
  if (!isCrmError(error)) return error;
  const rows = error.extensions?.rows as { index: number; field: string | null; message: string; code: string }[] | undefined;
  if (!rows?.length) return error;
  const named = rows.map((row) => ({ ...row, id: ids[row.index] }));
  const first = named[0]!;
  const more = named.length > 1 ? ` (and ${named.length - 1} more)` : '';
  return new CrmError(error.code, `the ${object} ${first.id} cannot be changed: ${first.message}${more}; nothing was changed`, first.field ?? undefined, {
    rows: named,
  });
}

/**
 * `callerIn(scope)` with each command in a savepoint, rolled back when it throws. Core's bulk writes try twice (the whole
 * batch, then row by row to name the rows at fault), each attempt meant to be its own transaction: in a borrowed
 * transaction, a failed statement of the first would abort the second ("current transaction is aborted"), hiding why.
 */
function callerInSavepoint(scope: CommandScope): Caller {
  const caller = callerIn(scope);
  return {
    ...caller,
    // The command's events wait with its writes (a rolled-back attempt's events are of changes that never happened).
    run: (fn, options) => inSavepoint(scope, 'crm_related_write', (emit) => caller.run((inner) => fn({ ...inner, emit }), options)),
  };
}

/** `access` with its writes bound to `scope`: a plugin context's `objects`. */
export function recordObjects(access: RecordAccess, scope: Scope): RecordObjects {
  return {
    ...access,
    ...recordWrites(access, scope),
    inWorkspace: async (db, workspaceId) => recordObjects(await access.inWorkspace(db, workspaceId), scope),
  };
}
