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

/** What a custom filter row means, as its input's label says: text contains, numbers and dates at least, options match. */
export function filterWording(field: CustomFieldDefinition): string {
  switch (field.type) {
    case 'TEXT':
    case 'LONG_TEXT':
    case 'EMAIL':
    case 'PHONE':
    case 'URL':
      return `${field.label} contains`;
    case 'NUMBER':
    case 'MONEY':
    case 'PERCENT':
    case 'RATING':
      return `${field.label} at least`;
    case 'DATE':
    case 'DATE_TIME':
      return `${field.label} from`;
    case 'MULTI_SELECT':
      return `${field.label} has any of`;
    default:
      return `${field.label} is`;
  }
}

/** The filter language's condition for one custom filter row; null while it has no value. */
export function customFilterOf(field: CustomFieldDefinition, value: FormValue): Record<string, unknown> | null {
  const input = inputValueOf(field, value);
  if (input === null || (Array.isArray(input) && input.length === 0)) return null;
  switch (field.type) {
    case 'TEXT':
    case 'LONG_TEXT':
    case 'EMAIL':
    case 'PHONE':
    case 'URL':
      return { [field.name]: { contains: input } };
    case 'NUMBER':
    case 'MONEY':
    case 'PERCENT':
    case 'RATING':
    case 'DATE':
    case 'DATE_TIME':
      return { [field.name]: { gte: input } };
    case 'MULTI_SELECT':
      return { [field.name]: { hasAny: input } };
    case 'RELATION':
      // The relation's reference field (`preferredStoreId: IdFilter`, docs/custom-fields.md, "Relation fields").
      return { [`${field.name}Id`]: { eq: input } };
    default:
      return { [field.name]: { eq: input } };
  }
}
