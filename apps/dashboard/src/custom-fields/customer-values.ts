// Reading and writing a customer's custom values: documents written at run time from the definitions (the fields are in
// the workspace's schema, not in the typed client's). They run without the cache, so a saved value is asked again.
import { describeError } from '../data/format.js';
import type { CombinedError } from '@crm/client';
import type { CustomFieldDefinition, CustomObject } from './definitions.js';
import { selectionOf } from './values.js';

export type CustomValues = Record<string, unknown> & { id: string };

export const customerValuesDocument = (fields: readonly CustomFieldDefinition[], objects: readonly CustomObject[]) =>
  `query CustomerCustomValues($id: ID!) { customer(id: $id) { id ${selectionOf(fields, objects)} } }`;

export const updateCustomerValuesDocument = (fields: readonly CustomFieldDefinition[], objects: readonly CustomObject[]) =>
  `mutation UpdateCustomerCustomValues($input: UpdateCustomerInput!) { updateCustomer(input: $input) { customer { id ${selectionOf(fields, objects)} } } }`;

/**
 * The extra columns of a chunk of the customers list, by id: the chosen custom fields and, while shown, the scores
 * (computed fields: a query that selects them cannot filter on custom fields, so the list's own query does not).
 */
export const customerColumnsDocument = (fields: readonly CustomFieldDefinition[], objects: readonly CustomObject[], withScores: boolean) =>
  `query CustomerExtraColumns($ids: [ID!]!, $first: Int!) { customers(first: $first, filter: { id: { in: $ids } }) { edges { node { id ${selectionOf(fields, objects)}${
    withScores ? ' analytics { predictedLifetimeValue rfm { segmentName } }' : ''
  } } } } }`;

/** The field a refusal names (`customFields.tier`, `customFields.tags.1` → `tier`) and its message; null for others. */
export function refusedField(error: CombinedError | undefined): { field: string; message: string } | null {
  const first = error?.graphQLErrors[0];
  const named = first?.extensions.field;
  if (typeof named !== 'string' || !named.startsWith('customFields.')) return null;
  return { field: named.split('.')[1]!, message: describeError(error) ?? first!.message };
}
