// A list's custom columns (chosen by the person, remembered in this browser per workspace and object) and custom
// filters (conditions in the list's filter language: `{ tier: { eq: "gold" } }`, `{ seats: { gte: 10 } }`).
import { useCallback, useState } from 'react';
import { useCrmQuery, useSettled } from '../data/hooks.js';
import { whoAmI } from '../data/documents.js';
import type { CustomFilterRows } from './CustomListControls.js';
import { type CustomFieldDefinition, useCustomFields, useCustomObjects } from './definitions.js';
import type { RecordKind } from './record-kinds.js';
import { type FormValue, inputValueOf } from './values.js';

// `crm.customerColumns.<workspace>` for customers (as before companies had columns), `crm.companyColumns.…`, ….
const storageKey = (workspaceId: string, kind: RecordKind) => `crm.${kind.single}Columns.${workspaceId}`;

function readStored(workspaceId: string, kind: RecordKind): string[] {
  try {
    const stored: unknown = JSON.parse(localStorage.getItem(storageKey(workspaceId, kind)) ?? '[]');
    return Array.isArray(stored) ? stored.filter((id): id is string => typeof id === 'string') : [];
  } catch {
    return [];
  }
}

/** The ids of the custom fields shown as columns (ids, not names: a renamed field stays chosen). */
export function useRememberedColumns(workspaceId: string | undefined, kind: RecordKind): [string[], (ids: string[]) => void] {
  const [chosen, setChosen] = useState<{ workspaceId?: string; ids: string[] }>({ ids: [] });
  const ids = workspaceId && chosen.workspaceId !== workspaceId ? readStored(workspaceId, kind) : chosen.ids;
  const choose = useCallback(
    (next: string[]) => {
      if (!workspaceId) return;
      setChosen({ workspaceId, ids: next });
      try {
        localStorage.setItem(storageKey(workspaceId, kind), JSON.stringify(next));
      } catch {
        // Private mode without storage: the choice lasts until the page is left.
      }
    },
    [workspaceId, kind],
  );
  return [ids, choose];
}

/** How a custom filter row compares, by the field's type: text contains, numbers and dates at least, options match. */
type Comparison = 'contains' | 'atLeast' | 'hasAny' | 'is';

const COMPARISONS: Record<CustomFieldDefinition['type'], Comparison> = {
  TEXT: 'contains',
  LONG_TEXT: 'contains',
  EMAIL: 'contains',
  PHONE: 'contains',
  URL: 'contains',
  NUMBER: 'atLeast',
  MONEY: 'atLeast',
  PERCENT: 'atLeast',
  RATING: 'atLeast',
  DATE: 'atLeast',
  DATE_TIME: 'atLeast',
  MULTI_SELECT: 'hasAny',
  SELECT: 'is',
  BOOLEAN: 'is',
  RELATION: 'is',
};

/** A custom filter row's label: `Seats at least`, `Contract end from`, `Tier is`. */
export function filterWording(field: CustomFieldDefinition): string {
  const comparison = COMPARISONS[field.type];
  const dated = field.type === 'DATE' || field.type === 'DATE_TIME';
  const words = { contains: 'contains', atLeast: dated ? 'from' : 'at least', hasAny: 'has any of', is: 'is' }[comparison];
  return `${field.label} ${words}`;
}

/** The filter language's condition for one custom filter row; null while it has no value. */
export function customFilterOf(field: CustomFieldDefinition, value: FormValue): Record<string, unknown> | null {
  const input = inputValueOf(field, value);
  if (input === null || (Array.isArray(input) && input.length === 0)) return null;
  // A relation compares its reference field (`mentorId: IdFilter`, docs/custom-fields.md, "Relation fields").
  if (field.type === 'RELATION') return { [`${field.name}Id`]: { eq: input } };
  const operator = { contains: 'contains', atLeast: 'gte', hasAny: 'hasAny', is: 'eq' }[COMPARISONS[field.type]];
  return { [field.name]: { [operator]: input } };
}

/**
 * Everything a list needs for the custom fields of `kind`: the definitions, the relation targets, the chosen columns
 * (remembered), the filter rows and their conditions (settled for 250 ms: typing sends one query, not one per key).
 */
export function useCustomListOptions(kind: RecordKind) {
  const me = useCrmQuery(whoAmI, {});
  const definitions = useCustomFields(kind.owner);
  const fields = definitions.data?.customFields ?? [];
  // Always asked (the navigation asks the same query, so it is cached): a document naming a relation's records is written
  // with them from the first render, never once without them.
  const objects = useCustomObjects(true);
  const [columnIds, setColumnIds] = useRememberedColumns(me.data?.workspace.id, kind);
  const [rows, setRows] = useState<CustomFilterRows>({});
  const [labels, setLabels] = useState<Record<string, string | null>>({});
  const settled = useSettled(rows, 250);
  const conditions = fields.flatMap((field) => {
    const condition = field.id in settled ? customFilterOf(field, settled[field.id]!) : null;
    return condition ? [condition] : [];
  });
  return {
    definitions,
    fields,
    objects,
    columns: fields.filter((f) => columnIds.includes(f.id)),
    columnIds,
    setColumnIds,
    /** Props for `<CustomFilters>`. */
    filters: {
      fields,
      objects,
      rows,
      labels,
      onChange: (next: CustomFilterRows, nextLabels?: Record<string, string | null>) => {
        setRows(next);
        if (nextLabels) setLabels(nextLabels);
      },
    },
    /** The filter language's conditions of the rows with a value (all of them hold). */
    conditions,
  };
}

/** A list's filter: the built-in conditions and the custom fields' (same language, the workspace's own filter type). */
export function withConditions<Filter extends object>(builtIn: Filter | null, conditions: Record<string, unknown>[]): Filter | null {
  return conditions.length ? (Object.assign({}, builtIn, ...conditions) as Filter) : builtIn;
}
