import type { ResolvedObject } from '../declaration.js';
import type { FilterNode } from './filter-node.js';

/**
 * The custom values a filter of `object` reads, by their stable keys: its custom fields' and those of the relation
 * fields it goes through (`contracts: { some: … }` reads the contracts' `customer` value). What deleting a custom
 * field asks of every stored filter (saved segments, workflows' conditions).
 */
export function storedKeysOf(object: ResolvedObject, node: FilterNode, into = new Set<string>()): Set<string> {
  switch (node.kind) {
    case 'and':
    case 'or':
      for (const item of node.items) storedKeysOf(object, item, into);
      break;
    case 'not':
      storedKeysOf(object, node.item, into);
      break;
    case 'compare':
      if (node.field.stored) into.add(node.field.stored.key);
      break;
    case 'toOne':
    case 'toMany': {
      const { relation } = node;
      const keyField = relation.kind === 'toMany' || relation.keyOnTarget ? node.target.fields.get(relation.key) : object.fields.get(relation.key);
      if (keyField?.stored) into.add(keyField.stored.key);
      storedKeysOf(node.target, node.item, into);
      break;
    }
  }
  return into;
}
