// The one rule for reading a field's change from a record update's event: a field under its name, or — a custom field
// of a core object (Customer's `tier`), whose values change together as their JSON column (`customFields`, by their
// stable keys) — its own value within that column's change. Record triggers (`fields`, from/to), their conditions'
// "before" (`matchesAsIf`), the dry run and a wait's `where` (`{{event.payload.changes.tier.to}}`) read changes so.
import type { RecordChange, RecordObjects } from '@crm/plugin-sdk';

export type FieldChange = { from: unknown; to: unknown };

type Catalog = Pick<RecordObjects, 'catalog'>;

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** A custom field's value in one side of its JSON column's change (null: unset, or no object). */
const valueIn = (side: unknown, key: string): unknown => (side && typeof side === 'object' ? ((side as Record<string, unknown>)[key] ?? null) : null);

/** A field's change in an update: by its name, or its own value within its JSON column's change (null: unchanged). */
export function changeOfField(objects: Catalog, change: RecordChange, field: string): FieldChange | null {
  const direct = change.changes?.[field];
  if (direct) return direct;
  const stored = objects.catalog.get(change.object).fields.get(field)?.stored;
  const values = stored ? change.changes?.[stored.json] : undefined;
  if (!stored || !values) return null;
  const [from, to] = [valueIn(values.from, stored.key), valueIn(values.to, stored.key)];
  return same(from, to) ? null : { from, to };
}

/**
 * Whether an update changes a JSON column (a core object's custom fields, by their stable keys): only the workspace's
 * definitions name its fields.
 */
export const changesJsonColumn = (objects: Catalog, change: RecordChange): boolean =>
  Object.keys(change.changes ?? {}).some((name) => !objects.catalog.get(change.object).fields.has(name));

/**
 * An update's changes with each custom field that changed within its JSON column also under its own name (`tier`),
 * beside the column's change (`customFields`, kept): what a wait's `where` reads.
 */
export function changesByName(objects: Catalog, change: RecordChange): Record<string, FieldChange> {
  const changes = { ...(change.changes ?? {}) };
  for (const field of objects.catalog.get(change.object).fields.values()) {
    if (!field.stored || changes[field.name] || !changes[field.stored.json]) continue;
    const changed = changeOfField(objects, change, field.name);
    if (changed) changes[field.name] = changed;
  }
  return changes;
}

/**
 * A change by field name (a dry run's sample) as core writes it in its event: a core object's custom fields within their
 * JSON column's change, by stable keys (`customFields`); a custom object's (its records in the shared table) by name.
 */
export function changesAsWritten(objects: Catalog, change: RecordChange): Record<string, FieldChange> {
  const object = objects.catalog.get(change.object);
  const written: Record<string, FieldChange> = {};
  for (const [name, sides] of Object.entries(change.changes ?? {})) {
    const stored = object.sharedTable ? undefined : object.fields.get(name)?.stored;
    if (!stored) {
      written[name] = sides;
      continue;
    }
    const column = (written[stored.json] ??= { from: {}, to: {} }) as { from: Record<string, unknown>; to: Record<string, unknown> };
    column.from[stored.key] = sides.from;
    column.to[stored.key] = sides.to;
  }
  return written;
}

/**
 * An event's payload as a run reads it (its trigger's event, a wait's `where`): a core object's custom fields' changes
 * also by name (`changesByName`), so `{{trigger.event.payload.changes.tier.to}}` reads the field publishing typed it by.
 */
export function payloadByName(objects: Pick<RecordObjects, 'catalog' | 'changeOf'>, event: { type: string; subjectType: string; payload: unknown }): unknown {
  const change = objects.changeOf(event);
  return change?.changes ? { ...(event.payload as object), changes: changesByName(objects, change) } : event.payload;
}

/**
 * One side of a change (`from`: the record's values before it) by field name, as `objects.matchesAsIf` takes
 * them; a custom field's value is read from its JSON column's change (`customFields`, by stable keys).
 */
export function changedValues(objects: Catalog, change: RecordChange, side: 'from' | 'to'): Record<string, unknown> {
  const object = objects.catalog.get(change.object);
  const values: Record<string, unknown> = {};
  for (const [name, sides] of Object.entries(change.changes ?? {})) {
    if (object.fields.has(name)) {
      values[name] = sides[side] ?? null;
      continue;
    }
    for (const field of object.fields.values()) if (field.stored?.json === name) values[field.name] = valueIn(sides[side], field.stored.key);
  }
  return values;
}
