import { badInput } from '../errors.js';
import { fields, z } from '../validation.js';

/** A custom object's type name: PascalCase letters and digits, as the built-in types are named (`Contract`). */
export const CUSTOM_OBJECT_NAME = /^[A-Z][A-Za-z0-9]{0,49}$/;
/** Its root list field: camelCase (`contracts`). */
export const CUSTOM_OBJECT_PLURAL = /^[a-z][A-Za-z0-9]{0,49}$/;

/** Type names a custom object may never take (GraphQL's, Relay's and the shared table's own). */
export const reservedObjectNames = new Set([
  'Query', 'Mutation', 'Subscription', 'Node', 'PageInfo', 'String', 'Int', 'Float', 'Boolean', 'ID', 'JSON', 'Date',
  'DateTime', 'Decimal', 'Upload', 'CustomRecord', 'CustomObject', 'CustomField', 'Object', 'Record', 'Event', 'Workspace',
]);

/** `Contract` → `contracts`, `Company` → `companies`, `Address` → `addresses`: the default plural (English rules). */
export function defaultPluralName(name: string): string {
  const lower = name.charAt(0).toLowerCase() + name.slice(1);
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/.test(lower)) return `${lower}es`;
  return `${lower}s`;
}

/** BAD_USER_INPUT naming `name` / `pluralName` unless they follow the rules (the schema check comes after). */
export function checkObjectNames(name: string, pluralName: string): void {
  if (!CUSTOM_OBJECT_NAME.test(name)) {
    throw badInput('name: a custom object name starts with an upper-case letter and has only letters and digits (at most 50), e.g. Contract', 'name');
  }
  if (reservedObjectNames.has(name)) throw badInput(`name: ${name} is a reserved word`, 'name');
  if (!CUSTOM_OBJECT_PLURAL.test(pluralName)) {
    throw badInput('pluralName: starts with a lower-case letter and has only letters and digits (at most 50), e.g. contracts', 'pluralName');
  }
  const single = name.charAt(0).toLowerCase() + name.slice(1);
  if (pluralName === single) throw badInput(`pluralName: must differ from the by-id field ${single}`, 'pluralName');
}

const label = z.string().trim().min(1, 'Must not be empty').max(200, 'At most 200 characters');
const description = z.string().trim().max(1000, 'At most 1,000 characters');

export const defineCustomObjectInput = z.object({
  name: z.string(),
  pluralName: z.string().nullish(),
  label: label.nullish(),
  description: description.nullish(),
});
export type DefineCustomObjectInput = z.input<typeof defineCustomObjectInput>;

export const renameCustomObjectInput = z.object({
  id: fields.id,
  name: z.string().nullish(),
  pluralName: z.string().nullish(),
  label: label.nullish(),
  description: description.nullish(),
});

export const archiveCustomObjectInput = z.object({ id: fields.id, archived: z.boolean().nullish() });

export const deleteCustomObjectInput = z.object({ id: fields.id, force: z.boolean().nullish() });
