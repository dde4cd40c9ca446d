import type { ScopedTransaction } from '@crm/db';
import type { CommandScope } from '../command.js';
import { badInput, conflict } from '../errors.js';
import { isUuid } from '../uuid.js';
import { MONEY_PATTERN } from '../money.js';
import { isCalendarDay } from '../objects/filter/parse-filter.js';
import { fields as inputFields } from '../validation.js';
import type { Permissions } from '../permissions/permissions.js';
import type { CustomField } from './definition.js';
import { loadCustomFields } from './load-definitions.js';
import { type StoredCheckRow, storedValueErrors } from './stored-checks.js';
import { isExtensible } from './definition.js';

/** Stored custom values of one row: `{ [definition.key]: value }`. */
export type CustomValues = Record<string, unknown>;

const defaultTextLength: Partial<Record<CustomField['type'], number>> = { text: 500, longText: 20_000 };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);

function within(field: CustomField, value: number, path: string, what = 'be'): void {
  if (field.min !== null && value < field.min) throw badInput(`${path}: must ${what} at least ${field.min}`, path);
  if (field.max !== null && value > field.max) throw badInput(`${path}: must ${what} at most ${field.max}`, path);
}

function zodChecked(schema: { safeParse(v: unknown): { success: boolean; data?: unknown; error?: { issues: { message: string }[] } } }, value: unknown, path: string): string {
  const result = schema.safeParse(value);
  if (!result.success) throw badInput(`${path}: ${result.error!.issues[0]!.message}`, path);
  return result.data as string;
}

/**
 * One value checked against its definition and turned into its stored form (money "12.50", instants as UTC ISO
 * strings, dates `YYYY-MM-DD`): that form is what the read engine compares and sorts. BAD_USER_INPUT names `path`.
 */
export function storedValue(field: CustomField, value: unknown, path: string): unknown {
  const fail = (expected: string): never => {
    throw badInput(`${path}: ${field.name} takes ${expected}`, path);
  };
  switch (field.type) {
    case 'text':
    case 'longText': {
      if (typeof value !== 'string') return fail('text');
      const length = [...value].length;
      const max = field.max ?? defaultTextLength[field.type]!;
      if (length > max) throw badInput(`${path}: at most ${max} characters`, path);
      if (field.min !== null && length < field.min) throw badInput(`${path}: at least ${field.min} characters`, path);
      return value;
    }
    case 'email':
      return zodChecked(inputFields.email, typeof value === 'string' ? value : fail('an email address'), path);
    case 'phone':
      return zodChecked(inputFields.phone, typeof value === 'string' ? value : fail('a phone number'), path);
    case 'url': {
      const url = zodChecked(inputFields.url, typeof value === 'string' ? value.trim() : fail('a URL'), path);
      if (!/^https?:\/\//i.test(url)) throw badInput(`${path}: an http or https URL`, path);
      return url;
    }
    case 'select': {
      if (typeof value !== 'string') return fail('one of its options');
      if (!field.options.some((o) => o.value === value)) throw badInput(`${path}: unknown option ${JSON.stringify(value)}; one of ${field.options.map((o) => o.value).join(', ')}`, path);
      return value;
    }
    case 'multiSelect': {
      if (!Array.isArray(value)) return fail('a list of its options');
      const chosen = new Set<string>();
      value.forEach((v, i) => {
        if (typeof v !== 'string' || !field.options.some((o) => o.value === v)) throw badInput(`${path}.${i}: unknown option ${JSON.stringify(v)}`, `${path}.${i}`);
        chosen.add(v);
      });
      // Kept in the options' order, so equal choices are equal values.
      return field.options.map((o) => o.value).filter((v) => chosen.has(v));
    }
    case 'number':
    case 'percent': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return fail('a number');
      within(field, value, path);
      return value;
    }
    case 'rating': {
      if (typeof value !== 'number' || !Number.isInteger(value)) return fail('a whole number');
      const min = field.min ?? 1;
      const max = field.max ?? 5;
      if (value < min || value > max) throw badInput(`${path}: a rating from ${min} to ${max}`, path);
      return value;
    }
    case 'money': {
      const text = typeof value === 'number' && Number.isFinite(value) ? value.toFixed(2) : value;
      if (typeof text !== 'string' || !MONEY_PATTERN.test(text.trim())) return fail('an amount with at most 2 decimals, e.g. "1234.50"');
      const amount = Number(text);
      within(field, amount, path);
      return amount.toFixed(2);
    }
    case 'date': {
      const day = value instanceof Date ? value.toISOString().slice(0, 10) : value;
      if (typeof day !== 'string' || !isCalendarDay(day)) return fail('a date, YYYY-MM-DD');
      return day;
    }
    case 'dateTime': {
      const instant = value instanceof Date ? value : typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) ? new Date(value) : null;
      if (!instant || Number.isNaN(instant.getTime())) return fail('an ISO-8601 date-time');
      return instant.toISOString();
    }
    case 'boolean':
      if (typeof value !== 'boolean') return fail('true or false');
      return value;
    case 'relation': {
      const id = typeof value === 'string' ? recordIdOf(value) : null;
      if (!id) return fail(`the id of a record`);
      return id;
    }
  }
}

/** A record id given as a uuid or as a global id (`base64("Contract:<uuid>")`); which object it names is checked by its existence. */
function recordIdOf(value: string): string | null {
  if (isUuid(value)) return value;
  if (value.length > 200 || !/^[A-Za-z0-9+/=]+$/.test(value)) return null;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const id = decoded.slice(decoded.indexOf(':') + 1);
  return decoded.includes(':') && isUuid(id) ? id : null;
}

const isEmpty = (value: unknown) => value === null || value === undefined || (Array.isArray(value) && value.length === 0);

/**
 * The stored custom values of a row after a create (`before` null) or an update: every given value validated, unknown
 * names refused, required ones present (defaults filled in on create), unique ones free. Runs inside the command's
 * transaction, so GraphQL, imports and plugin commands (which all call the core services) share it.
 */
export async function customValuesOf(
  /** The command's transaction, and its cached definitions when the command runner offers them. */
  { tx, definitions }: DefinitionScope,
  /** An extensible object's name, or a custom object's id (its definitions' `object`). */
  object: string,
  input: unknown,
  before: { id: string; values: CustomValues } | null,
  permissions?: Permissions,
  /** How errors name a value's input field: `customFields.` on core objects, nothing on a custom object's own input. */
  prefix = 'customFields.',
): Promise<CustomValues | undefined> {
  if (before && (input === undefined || input === null)) return undefined;
  const checked = checkedValues(await (definitions ?? ((name) => loadCustomFields(tx, name)))(object), object, input, before, permissions, prefix);
  await assertStored(tx, object, checked, before, prefix);
  return checked.values;
}

/** Where the checks of custom values read: the command's transaction and, when offered, the runner's cached definitions. */
export type DefinitionScope = Pick<CommandScope, 'tx' | 'definitions'>;

/** One row's input to {@link customValuesOfMany}. */
export interface CustomValuesRow {
  input: unknown;
  before: { id: string; values: CustomValues } | null;
}

/**
 * {@link customValuesOf} for the rows of a bulk write: the definitions are read once, and each row gets its values
 * (undefined: unchanged) or the error its single command would have thrown. Unique and relation fields are checked
 * for all rows at once (stored-checks.ts: one statement per kind of check), a unique value set twice in the batch
 * included.
 */
export async function customValuesOfMany(
  scope: DefinitionScope,
  object: string,
  rows: readonly CustomValuesRow[],
  permissions?: Permissions,
  prefix = 'customFields.',
): Promise<(CustomValues | undefined | Error)[]> {
  const { values, claim } = await uncheckedCustomValuesOfMany(scope, object, rows, permissions, prefix);
  for (const [index, error] of await claim(() => true)) values[index] = error;
  return values;
}

/** {@link customValuesOfMany} in two steps: the values checked without the database, then their claims. */
export interface UnclaimedCustomValues {
  /** By row: its values (undefined: unchanged) or its error, unique and relation values not yet checked. */
  values: (CustomValues | undefined | Error)[];
  /**
   * The stored checks (unique values free, linked records present) of the rows `standing` keeps, by row index: its
   * error. A row refused meanwhile (its owner hand-off) is left out, so it claims no unique value of the batch.
   */
  claim(standing: (index: number) => boolean): Promise<Map<number, Error>>;
}

/** {@link customValuesOfMany} whose claims are made later ({@link UnclaimedCustomValues}), once the rows refused for other reasons are known. */
export async function uncheckedCustomValuesOfMany(
  { tx, definitions: cached }: DefinitionScope,
  object: string,
  rows: readonly CustomValuesRow[],
  permissions?: Permissions,
  prefix = 'customFields.',
): Promise<UnclaimedCustomValues> {
  const needed = rows.some(({ input, before }) => !before || (input !== undefined && input !== null));
  const definitions = needed ? await (cached ?? ((name) => loadCustomFields(tx, name)))(object) : [];
  const values: (CustomValues | undefined | Error)[] = [];
  const checked: (StoredCheckRow & { index: number })[] = [];
  for (const [index, { input, before }] of rows.entries()) {
    if (before && (input === undefined || input === null)) {
      values.push(undefined);
      continue;
    }
    try {
      const row = checkedValues(definitions, object, input, before, permissions, prefix);
      checked.push({ index, id: before?.id ?? null, ...row });
      values.push(row.values);
    } catch (error) {
      if (!(error instanceof Error)) throw error;
      values.push(error);
    }
  }
  const claim = async (standing: (index: number) => boolean) => {
    const claiming = checked.filter((row) => standing(row.index));
    const refused = await storedValueErrors(tx, object, claiming, prefix);
    return new Map([...refused].map(([at, error]) => [claiming[at]!.index, error]));
  };
  return { values, claim };
}

/** The checks of {@link customValuesOf} that read the database: unique values free, linked records present. */
async function assertStored(
  tx: ScopedTransaction,
  object: string,
  checked: { values: CustomValues; changed: CustomField[] },
  before: { id: string } | null,
  prefix: string,
): Promise<void> {
  const [error] = (await storedValueErrors(tx, object, [{ id: before?.id ?? null, ...checked }], prefix)).values();
  if (error) throw error;
}

/** The validation of {@link customValuesOf} without the database: the values, and the fields the input changed. */
function checkedValues(
  definitions: readonly CustomField[],
  object: string,
  input: unknown,
  before: { id: string; values: CustomValues } | null,
  permissions: Permissions | undefined,
  prefix: string,
): { values: CustomValues; changed: CustomField[] } {
  if (input !== undefined && input !== null && !isObject(input)) throw badInput(`${prefix || 'input'}: an object of custom field values`, prefix.replace(/\.$/, '') || 'input');
  const given = (input ?? {}) as Record<string, unknown>;
  const byName = new Map(definitions.map((d) => [d.name, d]));
  for (const name of Object.keys(given)) {
    if (!byName.has(name)) throw badInput(`${prefix}${name}: ${isExtensible(object) ? object : 'the object'} has no custom field ${name}`, `${prefix}${name}`);
  }
  const values: CustomValues = { ...(before?.values ?? {}) };
  const changed: CustomField[] = [];
  for (const field of definitions) {
    const path = `${prefix}${field.name}`;
    if (field.name in given) {
      // A role's hidden and read-only custom fields: FORBIDDEN naming `customFields.<name>`, before anything is written.
      permissions?.requireWritableCustomField(object, field);
      const raw = given[field.name];
      if (isEmpty(raw)) delete values[field.key];
      else values[field.key] = storedValue(field, raw, path);
      changed.push(field);
    } else if (!before && field.defaultValue !== null && field.defaultValue !== undefined) {
      values[field.key] = field.defaultValue;
    }
    if (field.required && isEmpty(values[field.key]) && (!before || field.name in given)) throw badInput(`${path}: ${field.name} is required`, path);
  }
  return { values, changed };
}

/**
 * The custom values a record created without any gets (the fields' defaults). For writers that create records in bulk
 * from data that cannot carry custom values (the order import's new customers): like records that existed before a
 * field was required, they may lack a required value.
 */
export async function customDefaultsOf(tx: ScopedTransaction, object: string): Promise<CustomValues> {
  const defaults: CustomValues = {};
  for (const field of await loadCustomFields(tx, object)) if (field.defaultValue !== null && field.defaultValue !== undefined) defaults[field.key] = field.defaultValue;
  return defaults;
}

/**
 * CONFLICT naming `customFields.<name>` when restoring a trashed record would break a unique field: a live record took
 * its value meanwhile (`object`: a declared object's name or a custom object's id; `values`: the record's).
 */
export async function assertRestorable(tx: ScopedTransaction, object: string, id: string, values: CustomValues): Promise<void> {
  const unique = (await loadCustomFields(tx, object)).filter((field) => field.unique && !isEmpty(values[field.key]));
  for (const field of unique) await assertUnique(tx, object, field, values[field.key], id);
}

/** CONFLICT when another live row of the workspace holds the same value (the unique expression index is the backstop). */
export async function assertUnique(tx: ScopedTransaction, object: string, field: CustomField, value: unknown, exceptId?: string, prefix = 'customFields.'): Promise<void> {
  // A declared object's table is named as the object (`Competitor` → `tx.competitor`); a custom object's records share
  // one table, its own are those with its id.
  const model = isExtensible(object) ? object.charAt(0).toLowerCase() + object.slice(1) : 'customRecord';
  const delegate = (tx as unknown as Record<string, { count(args: object): Promise<number> }>)[model]!;
  const where = {
    customFields: { path: [field.key], equals: value },
    ...(isExtensible(object) ? {} : { objectId: object }),
    ...(exceptId ? { NOT: { id: exceptId } } : {}),
  };
  if ((await delegate.count({ where })) > 0) {
    throw conflict(`${prefix}${field.name}: another record already has ${JSON.stringify(value)}`, `${prefix}${field.name}`);
  }
}
