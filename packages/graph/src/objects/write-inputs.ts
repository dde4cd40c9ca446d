import { type ResolvedField, type ResolvedObject, upsertKeysOf } from '@crm/core';
import type { Builder } from '../builder.js';
import { rowId } from '../ids.js';
import type { CustomFieldInputs } from './custom-field-inputs.js';
import type { ObjectInputs } from './object-inputs.js';

type InputRef = ReturnType<Builder['inputType']>;
type EnumRef = ReturnType<Builder['enumType']>;
type FieldBuilder = PothosSchemaTypes.InputFieldBuilder<never, 'InputObject'>;

const scalarOf: Partial<Record<ResolvedField['kind'], string>> = {
  string: 'String',
  int: 'Int',
  float: 'Float',
  decimal: 'Decimal',
  boolean: 'Boolean',
  datetime: 'DateTime',
  json: 'JSON',
  reference: 'ID',
};

/** `EXTERNAL_REF` for `externalRef`: a unique key's enum value. */
export const keyValueOf = (field: string) => field.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();

/** Whether a field is taken on create (`write: true | 'create'`) or update (`true | 'update'`). */
export const writableOn = (field: ResolvedField, action: 'create' | 'update') => field.write === true || field.write === action;

/**
 * The inputs of the generic writes, derived from the declarations (`write` on each field): `XInput` (create and
 * upsert rows), `XPatch` (updates), `XWhere` (ids or a filter) and `XUniqueKey` (the declared unique keys). Every
 * field is optional in GraphQL: the object's writer validates each row, so a bad row is reported with its index.
 */
export class WriteInputs {
  constructor(
    private readonly builder: Builder,
    private readonly inputs: ObjectInputs,
    private readonly customFields: CustomFieldInputs,
  ) {}

  #fields(t: FieldBuilder, object: ResolvedObject, action: 'create' | 'update') {
    const fields: Record<string, unknown> = {};
    for (const field of object.fields.values()) {
      if (!writableOn(field, action)) continue;
      const type =
        field.kind === 'enum' ? this.inputs.enumRef(field.enum!) : field.kind === 'stringList' ? ['String'] : scalarOf[field.kind];
      if (!type) throw new Error(`${object.name}.${field.name}: a ${field.kind} field cannot be written`);
      const description = field.kind === 'reference' ? `The ${field.references}'s id.` : field.description;
      fields[field.name] = t.field({ type: type as never, required: false, description } as never);
    }
    // The workspace's custom fields (Customer, Company), typed as in createCustomer's input; checked by the writer.
    return { ...fields, ...this.customFields.fields(t as never, object.name) } as never;
  }

  /** Null when the object has nothing to write yet (a custom object before its first field). */
  create(object: ResolvedObject): InputRef | null {
    if (![...object.fields.values()].some((field) => writableOn(field, 'create') || field.stored)) return null;
    return this.builder.inputType(`${object.name}Input`, {
      description: `A ${object.name} to create or upsert (see docs/data.md). Create-only fields are ignored when an upsert updates.`,
      fields: (t) => this.#fields(t as never, object, 'create'),
    });
  }

  patch(object: ResolvedObject): InputRef | null {
    if (![...object.fields.values()].some((field) => writableOn(field, 'update') || field.stored)) return null;
    return this.builder.inputType(`${object.name}Patch`, {
      description: `The changes an update makes to each ${object.name}: fields left out stay as they are, null clears.`,
      fields: (t) => this.#fields(t as never, object, 'update'),
    });
  }

  where(object: ResolvedObject, plural: string): InputRef {
    return this.builder.inputType(`${plural}Where`, {
      description: `Which ${object.name} records a bulk update or delete targets: give \`ids\` or \`filter\` (at most 1,000 records).`,
      fields: (t) => ({
        ids: t.idList({ required: false }),
        filter: t.field({ type: this.inputs.filter(object.name) as never, required: false }),
      }),
    });
  }

  uniqueKey(object: ResolvedObject): EnumRef | null {
    const keys = upsertKeysOf(object);
    if (!keys.length) return null;
    return this.builder.enumType(`${object.name}UniqueKey`, {
      description: `The unique keys ${object.name} records are matched on by upserts and imports.`,
      values: Object.fromEntries(keys.map((key) => [keyValueOf(key), { value: key }])) as never,
    });
  }

  /**
   * A GraphQL input row as the writer takes it: global ids of references become row ids. An id that does not decode
   * is passed on as given, so the writer's validation reports it for that row.
   */
  decode(object: ResolvedObject, input: Record<string, unknown>): Record<string, unknown> {
    const decoded: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(input)) {
      const field = object.fields.get(name);
      decoded[name] = field?.kind === 'reference' && typeof value === 'string' ? tryRowId(value, field.references!) : value;
    }
    return decoded;
  }
}

function tryRowId(value: string, typename: string): string {
  try {
    return rowId(value, typename, 'id');
  } catch {
    return value;
  }
}
