// The declared object model: one description per object, from which every surface is derived (GraphQL types,
// filters, orders, aggregates, group-by, search, the SQL read engine, segment filters). See docs/architecture.md,
// "The declared object model".
import type { Role } from '@crm/db';
import type { ObjectWriter } from './writer.js';

/** What a field holds, as every surface sees it. The GraphQL scalar and the SQL type follow from it. */
export type FieldKind =
  /** The row's own id (a global id on the wire). */
  | 'id'
  /** A foreign key: another object's row id (a global id of `references` on the wire). */
  | 'reference'
  | 'string'
  | 'int'
  /**
   * A 64-bit whole number (Prisma `BigInt`, SQL `bigint`): a Float on the wire, exact up to 2^53 (`wholeNumber`), as
   * loyalty's points always were; a value beyond is refused rather than rounded.
   */
  | 'bigint'
  | 'float'
  /** Money: numeric(14,2), a decimal string on the wire. */
  | 'decimal'
  | 'boolean'
  | 'datetime'
  /** A calendar day without a time (`YYYY-MM-DD`): custom fields' dates. */
  | 'date'
  | 'enum'
  | 'stringList'
  | 'json';

export interface FieldDeclaration {
  kind: FieldKind;
  /** The Prisma field (= SQL column). @default the field's name */
  column?: string;
  /**
   * The value sits under `key` of the JSONB column `json` instead of a column of its own: a workspace's custom field
   * (docs/custom-fields.md). Stored normalised (money "12.50", instants as UTC ISO strings, dates `YYYY-MM-DD`), so
   * its text sorts and compares like the value.
   */
  stored?: StoredInJson;
  /** @default false */
  nullable?: boolean;
  /** kind `enum`: the enum's name (the same in Prisma, PostgreSQL and GraphQL). */
  enum?: string;
  /** kind `reference`: the object whose id this column holds. */
  references?: string;
  /** May appear in `filter`. @default true, except `json` */
  filter?: boolean;
  /** May appear in `orderBy`. @default false */
  sort?: boolean;
  /** Where empty values go when sorting on the field and the caller does not say. @default PostgreSQL's */
  nulls?: 'first' | 'last';
  /** Part of full-text search, with its weight (A ranks highest). @default none */
  search?: 'A' | 'B' | 'C';
  /** Takes part in `aggregate` (sum/avg for numbers; min/max for numbers and dates). @default true for numbers and dates */
  aggregate?: boolean;
  /** May be a `groupBy` key (dates are truncated to a unit). @default false */
  group?: boolean;
  /** The least role that reads the field. @default READ_ONLY */
  read?: Role;
  /** Output as a GraphQL field of the object. @default true, except `reference` (the relation is output instead) */
  expose?: boolean;
  /**
   * Who writes the field, the one marker both roles and generic writes read:
   * - `true`, `'create'` or `'update'`: input, also taken by the object's generic writes (`createXs`, `updateXs`,
   *   `upsertX`, imports; docs/data.md) on create and update, or on one only; the object's writer validates it;
   * - absent (or `false`): input of the object's own commands only (or set by the database, such as `createdAt`);
   * - `'system'`: kept by the system (running totals, stage timestamps), never set from input: a command that only
   *   maintains these needs no update permission on the object, and roles cannot grant or refuse writing them.
   * Resolved as `write` (generic writes) and `computed` (`'system'`). @default false
   */
  write?: boolean | 'create' | 'update' | 'system';
  description?: string;
}

/** The discriminating column of a table several objects share, and this object's value in it. */
export interface SharedTable {
  column: string;
  value: string;
}

/** Where a custom field's value is kept: `row[json][key]`. */
export interface StoredInJson {
  json: string;
  key: string;
}

export type Direction = 'asc' | 'desc';

/** One term of an order: a field of the object (or, with `relation`, of a to-one related object). */
export interface OrderTerm {
  field: string;
  direction: Direction;
  /** @default PostgreSQL's: last for asc, first for desc */
  nulls?: 'first' | 'last';
  relation?: string;
}

export interface RelationDeclaration {
  kind: 'toOne' | 'toMany';
  /** The related object's name. */
  target: string;
  /**
   * toOne: the column of this row holding the target's id, or with `keyOnTarget` the target's column holding this
   * row's id (a one-to-one whose key is on the other side). toMany: the target's column holding this row's id.
   */
  key: string;
  keyOnTarget?: boolean;
  /** toOne: whether it may be absent. @default true when `keyOnTarget` or the key field is nullable */
  nullable?: boolean;
  /** toMany: the order of its rows. @default the target's default order */
  order?: OrderTerm[];
  /** toMany: a Relay connection (true) or a plain list. @default true */
  connection?: boolean;
  /** Output as a GraphQL field of the object. @default true */
  expose?: boolean;
  /** The GraphQL field name when it differs from the Prisma relation name. */
  graphqlName?: string;
  /**
   * Kept by a relation custom field (its key is a value in JSONB, not a foreign key): no Prisma relation exists, so
   * the read engine answers filters and orders through it, and the GraphQL layer resolves it itself. @default false
   */
  custom?: boolean;
  description?: string;
}

export interface ObjectDeclaration {
  /** The GraphQL type name (and the object's name everywhere else). */
  name: string;
  /** The Prisma model (= SQL table). @default name */
  model?: string;
  /**
   * The object's rows are those of `model` whose `column` holds `value`: a workspace's custom object, whose records
   * share the `CustomRecord` table (docs/custom-fields.md). Every read adds the condition where it adds tenancy.
   */
  sharedTable?: SharedTable;
  /** The root list field (`customers`). None: no root list. */
  plural?: string;
  /** The by-id root field (`customer`). None: only `node`. */
  single?: string;
  description?: string;
  /** Is a Relay node. @default true */
  node?: boolean;
  fields: Record<string, FieldDeclaration>;
  relations?: Record<string, RelationDeclaration>;
  /**
   * Column sets that identify a row within a workspace: the keys `upsertX(on:)` and imports match on (each a unique
   * index in the database; a single field per key).
   */
  uniqueKeys?: readonly (readonly string[])[];
  /**
   * The commands that write it, for bulk writes, upserts and imports (docs/data.md). Core objects' writers sit with
   * their services (`services/bulk/core-writers.ts`); a plugin declares its own here. None: read-only.
   */
  writer?: ObjectWriter;
  /** The list order without `orderBy`; `id` is appended as the tie-break. */
  defaultOrder: readonly OrderTerm[];
  /** The least role that reads the object at all. @default READ_ONLY */
  read?: Role;
  /** Which plugin declared it (none for core objects). */
  plugin?: string;
  /**
   * The reference field naming the user a row belongs to (its owner or assignee): the "own records only" rule of a
   * role keeps the rows where it is the key's user. None: the rule cannot apply to the object.
   */
  owner?: string;
  /** Saved segments select rows of it (`filter: { inSegment }`). @default false */
  segmentable?: boolean;
  /**
   * A workspace's ADMIN may add custom fields to it (docs/custom-fields.md): its table (named as the object) has a
   * `customFields jsonb NOT NULL DEFAULT '{}'` column, and its writes check the values (`customValuesOf`). @default false
   */
  customFields?: boolean;
  /** To-one relations whose search also finds this object (a customer found by its company's name). */
  searchThrough?: readonly string[];
}

/** A declaration with every default filled in, as the derivations read it. */
export interface ResolvedField extends Required<Omit<FieldDeclaration, 'enum' | 'references' | 'search' | 'description' | 'nulls' | 'stored' | 'write'>> {
  /** Taken by the object's generic writes (from the declaration's `write`; never for a `'system'` field). */
  write: boolean | 'create' | 'update';
  /** Kept by the system, never set from input (the declaration's `write: 'system'`). */
  computed: boolean;
  stored?: StoredInJson;
  nulls?: 'first' | 'last';
  name: string;
  /** The object the field belongs to. */
  owner: string;
  enum?: string;
  references?: string;
  search?: 'A' | 'B' | 'C';
  description?: string;
}

export interface ResolvedRelation extends Required<Omit<RelationDeclaration, 'order' | 'graphqlName' | 'description'>> {
  name: string;
  graphqlName: string;
  order?: OrderTerm[];
  description?: string;
}

export interface ResolvedObject {
  name: string;
  model: string;
  sharedTable?: SharedTable;
  plural?: string;
  single?: string;
  description?: string;
  node: boolean;
  read: Role;
  plugin?: string;
  owner?: string;
  segmentable: boolean;
  customFields: boolean;
  searchThrough: readonly string[];
  fields: ReadonlyMap<string, ResolvedField>;
  relations: ReadonlyMap<string, ResolvedRelation>;
  uniqueKeys: readonly (readonly string[])[];
  writer?: ObjectWriter;
  defaultOrder: readonly OrderTerm[];
}

const numeric = new Set<FieldKind>(['int', 'bigint', 'float', 'decimal']);
export const isNumeric = (kind: FieldKind) => numeric.has(kind);

/** A typed object declaration (checked when the catalog is built). */
export function defineObject<const D extends ObjectDeclaration>(declaration: D): D {
  return declaration;
}

export function resolveObject(declaration: ObjectDeclaration): ResolvedObject {
  const fields = new Map<string, ResolvedField>();
  for (const [name, f] of Object.entries(declaration.fields)) {
    fields.set(name, {
      name,
      owner: declaration.name,
      kind: f.kind,
      column: f.column ?? name,
      stored: f.stored,
      nullable: f.nullable ?? false,
      enum: f.enum,
      references: f.references,
      filter: f.filter ?? f.kind !== 'json',
      sort: f.sort ?? false,
      nulls: f.nulls,
      search: f.search,
      aggregate: f.aggregate ?? (isNumeric(f.kind) || f.kind === 'datetime' || f.kind === 'date'),
      group: f.group ?? false,
      read: f.read ?? 'READ_ONLY',
      computed: f.write === 'system',
      expose: f.expose ?? f.kind !== 'reference',
      write: f.write === 'system' ? false : (f.write ?? false),
      description: f.description,
    });
  }
  const relations = new Map<string, ResolvedRelation>();
  for (const [name, r] of Object.entries(declaration.relations ?? {})) {
    const keyField = r.keyOnTarget ? undefined : fields.get(r.key);
    relations.set(name, {
      name,
      kind: r.kind,
      target: r.target,
      key: r.key,
      keyOnTarget: r.keyOnTarget ?? false,
      nullable: r.nullable ?? (r.kind === 'toOne' ? (r.keyOnTarget ?? false) || (keyField?.nullable ?? false) : false),
      order: r.order,
      connection: r.connection ?? true,
      expose: r.expose ?? true,
      graphqlName: r.graphqlName ?? name,
      custom: r.custom ?? false,
      description: r.description,
    });
  }
  return {
    name: declaration.name,
    model: declaration.model ?? declaration.name,
    sharedTable: declaration.sharedTable,
    plural: declaration.plural,
    single: declaration.single,
    description: declaration.description,
    node: declaration.node ?? true,
    read: declaration.read ?? 'READ_ONLY',
    plugin: declaration.plugin,
    owner: declaration.owner,
    segmentable: declaration.segmentable ?? false,
    customFields: declaration.customFields ?? false,
    searchThrough: declaration.searchThrough ?? [],
    fields,
    relations,
    uniqueKeys: declaration.uniqueKeys ?? [],
    writer: declaration.writer,
    defaultOrder: declaration.defaultOrder,
  };
}
