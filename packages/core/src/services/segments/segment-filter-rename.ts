import type { ScopedTransaction } from '@crm/db';
import { type CustomField, relationKeyName, reverseRelationName } from '../../custom-fields/definition.js';
import type { ObjectCatalog } from '../../objects/catalog.js';
import type { ResolvedObject } from '../../objects/declaration.js';
import type { SegmentFilter } from './segment-filter.js';

/**
 * A custom field being renamed: its stable key and its names before and after (a relation field renames its relation,
 * its id field and the reverse connection on its target).
 */
export interface FieldRename {
  key: string;
  renames: ReadonlyMap<string, string>;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The stored filter with the renamed field's entries under their new names, walked over the declarations as they are
 * before the rename (so `{ company: { motto: … } }` is recognised as the company's field). Entries of other objects
 * with the same name are left alone: an entry is renamed where it names a field (or a relation field's relation)
 * holding the field's key.
 */
export function renameInFilter(catalog: ObjectCatalog, object: ResolvedObject, filter: unknown, rename: FieldRename): unknown {
  if (Array.isArray(filter)) return filter.map((item) => renameInFilter(catalog, object, item, rename));
  if (!isObject(filter)) return filter;
  const renamed: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(filter)) {
    if (key === 'and' || key === 'or' || key === 'not') {
      renamed[key] = renameInFilter(catalog, object, value, rename);
      continue;
    }
    const relation = object.relations.get(key);
    const keyField = !relation ? object.fields.get(key) : relation.kind === 'toOne' && !relation.keyOnTarget ? object.fields.get(relation.key) : catalog.target(relation).fields.get(relation.key);
    const ownKey = keyField?.stored?.key;
    const name = ownKey === rename.key ? (rename.renames.get(key) ?? key) : key;
    if (!relation) renamed[name] = value;
    else if (relation.kind === 'toOne') renamed[name] = renameInFilter(catalog, catalog.target(relation), value, rename);
    else renamed[name] = isObject(value) ? Object.fromEntries(Object.entries(value).map(([q, inner]) => [q, renameInFilter(catalog, catalog.target(relation), inner, rename)])) : value;
  }
  return renamed;
}

/** The names a field's rename changes: its own, and a relation field's id field and reverse connection. */
export function fieldRename(catalog: ObjectCatalog, field: CustomField, name: string): FieldRename {
  const renames = new Map([[field.name, name]]);
  if (field.type === 'relation') {
    renames.set(relationKeyName(field), relationKeyName({ name }));
    for (const target of catalog.objects) {
      for (const relation of target.relations.values()) {
        const source = catalog.target(relation);
        if (relation.kind === 'toMany' && relation.custom && source.fields.get(relation.key)?.stored?.key === field.key) {
          renames.set(relation.name, reverseRelationName({ name }, source.plural!, target.name));
        }
      }
    }
  }
  return { key: field.key, renames };
}

/**
 * Rewrites the saved segments whose filter names a custom field being renamed to `name`, in the renaming transaction:
 * a segment keeps selecting what it selected. `catalog`: the workspace's objects before the rename.
 */
export async function renameInSegments(tx: ScopedTransaction, catalog: ObjectCatalog, rename: FieldRename): Promise<void> {
  // STATIC segments have no filter.
  const segments = await tx.segment.findMany({ where: { kind: 'FILTER' }, select: { id: true, filter: true } });
  for (const segment of segments) {
    const filter = renameInFilter(catalog, catalog.get('Customer'), segment.filter, rename);
    if (JSON.stringify(filter) !== JSON.stringify(segment.filter)) await tx.segment.update({ where: { id: segment.id }, data: { filter: filter as SegmentFilter } });
  }
}
