// Reading and writing a record's custom values: documents written at run time from the definitions (the fields are in
// the workspace's schema, not in the typed client's) with the shared templates of `@crm/client`
// (workspace-documents.ts). They run without the cache, so a saved value is asked again.
import type { CombinedError } from '@crm/client';
import { describeError } from '../data/format.js';
import type { WorkspaceRecord } from '../data/workspace-answers.js';
import type { CustomFieldDefinition } from './definitions.js';
import type { RecordKind } from './record-kinds.js';

export { recordValuesDocument, updateRecordValuesDocument } from '@crm/gateway/workspace-documents';

/** A record's custom values as read: its id and each field by name. */
export type CustomValues = WorkspaceRecord;

/** The input of a create or update: values under `customFields` for built-in objects, the input's own fields for custom ones. */
export const valuesInput = (kind: RecordKind, values: Record<string, unknown>, rest: Record<string, unknown> = {}) =>
  kind.nestedValues ? { ...rest, customFields: values } : { ...rest, ...values };

/**
 * The field of `fields` a refusal names (`customFields.tier` on customers and companies, `number` on a custom object;
 * `customFields.tags.1` → `tags`) and its message; null when it names none of them (the form shows it as a whole).
 */
export function refusedField(error: CombinedError | undefined, fields: readonly CustomFieldDefinition[]): { field: string; message: string } | null {
  const first = error?.graphQLErrors[0];
  const named = first?.extensions.field;
  if (typeof named !== 'string') return null;
  const field = named.replace(/^customFields\./, '').split('.')[0]!;
  if (!fields.some((f) => f.name === field)) return null;
  return { field, message: describeError(error) ?? first!.message };
}
