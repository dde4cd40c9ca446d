// The customers list's custom columns (chosen by the person, remembered in this browser per workspace) and custom
// filters (conditions in the list's filter language: `{ tier: { eq: "gold" } }`, `{ seats: { gte: 10 } }`).
import { useCallback, useState } from 'react';
import type { CustomFieldDefinition } from './definitions.js';
import { type FormValue, inputValueOf } from './values.js';

const storageKey = (workspaceId: string) => `crm.customerColumns.${workspaceId}`;

function readStored(workspaceId: string): string[] {
  try {
    const stored: unknown = JSON.parse(localStorage.getItem(storageKey(workspaceId)) ?? '[]');
    return Array.isArray(stored) ? stored.filter((id): id is string => typeof id === 'string') : [];
  } catch {
    return [];
  }
}

/** The ids of the custom fields shown as columns (ids, not names: a renamed field stays chosen). */
export function useRememberedColumns(workspaceId: string | undefined): [string[], (ids: string[]) => void] {
  const [chosen, setChosen] = useState<{ workspaceId?: string; ids: string[] }>({ ids: [] });
  const ids = workspaceId && chosen.workspaceId !== workspaceId ? readStored(workspaceId) : chosen.ids;
  const choose = useCallback(
    (next: string[]) => {
      if (!workspaceId) return;
      setChosen({ workspaceId, ids: next });
      try {
        localStorage.setItem(storageKey(workspaceId), JSON.stringify(next));
      } catch {
        // Private mode without storage: the choice lasts until the page is left.
      }
    },
    [workspaceId],
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
