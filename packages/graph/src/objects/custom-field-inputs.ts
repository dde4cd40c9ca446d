import type { ObjectCatalog, ResolvedField, ResolvedObject } from '@crm/core';
import type { Builder } from '../builder.js';

type InputRef = ReturnType<Builder['inputType']>;
type InputFieldBuilder = PothosSchemaTypes.InputFieldBuilder<PothosSchemaTypes.ExtendDefaultTypes<import('../builder.js').SchemaTypes>, 'InputObject'>;

export const inputTypeOf: Partial<Record<ResolvedField['kind'], string | [string]>> = {
  string: 'String',
  stringList: ['String'],
  int: 'Int',
  float: 'Float',
  decimal: 'Decimal',
  boolean: 'Boolean',
  datetime: 'DateTime',
  date: 'Date',
};

/**
 * `XCustomFieldsInput`: the custom fields of an object as typed input fields, for its create and update inputs
 * (`customFields: { contractEnd: "2027-01-31" }`). Absent from a schema whose workspace has none (an input object
 * needs a field). GraphQL checks the types; the core checks the rest (options, ranges, required, unique).
 */
export class CustomFieldInputs {
  readonly #types = new Map<string, InputRef | null>();

  constructor(
    private readonly builder: Builder,
    private readonly catalog: ObjectCatalog,
  ) {
    inputsOfBuilder.set(builder, this);
  }

  /** `{ customFields }` for an input of `objectName`, or nothing. */
  fields(t: InputFieldBuilder, objectName: string): Record<string, unknown> {
    const type = this.#type(objectName);
    return type ? { customFields: t.field({ type, description: `Values of the workspace's custom fields (null clears one).` }) } : {};
  }

  #type(objectName: string): InputRef | null {
    if (this.#types.has(objectName)) return this.#types.get(objectName)!;
    const object = this.catalog.get(objectName);
    const custom = customInputFields(object);
    const ref = custom.length
      ? this.builder.inputType(`${objectName}CustomFieldsInput`, {
          description: `The custom fields of ${objectName} this workspace defines.`,
          fields: (t) => Object.fromEntries(custom.map((f) => [f.name, t.field({ type: f.type as never, description: f.description })])) as never,
        })
      : null;
    this.#types.set(objectName, ref);
    return ref;
  }
}

/**
 * The input fields of an object's custom fields, named as the definitions are: a relation field is written under its
 * own name (`customer: ID`, the record's id), its declaration keeps the id in the hidden field `customerId`.
 */
export function customInputFields(object: ResolvedObject): { name: string; type: string | [string]; description?: string }[] {
  const inputs: { name: string; type: string | [string]; description?: string }[] = [];
  for (const field of object.fields.values()) {
    if (!field.stored) continue;
    if (field.kind === 'reference') {
      const relation = [...object.relations.values()].find((r) => r.custom && r.kind === 'toOne' && r.key === field.name);
      if (relation) inputs.push({ name: relation.name, type: 'ID', description: `The ${relation.target}'s id (null unlinks).` });
      continue;
    }
    inputs.push({ name: field.name, type: inputTypeOf[field.kind]!, description: field.description });
  }
  return inputs;
}

/** Each schema's custom field inputs, by its builder: what plugins' own inputs reach through {@link customFieldsInput}. */
const inputsOfBuilder = new WeakMap<Builder, CustomFieldInputs>();

/**
 * `{ customFields }` for a plugin's own input of a declared object that takes custom fields (`customFields: true`):
 * the workspace's `XCustomFieldsInput`, or nothing while it defines none. Spread it into the input's fields:
 * `fields: (t) => ({ name: t.string(), ...customFieldsInput(builder, t, 'Competitor') })`; the command checks the
 * values with `scope.customValues` (docs/plugins/api-reference.md).
 */
export function customFieldsInput<T extends { field: unknown }>(builder: Builder, t: T, objectName: string): { customFields?: ReturnType<InputFieldBuilder['field']> } {
  const inputs = inputsOfBuilder.get(builder);
  if (!inputs) throw new Error('customFieldsInput: the declared objects of this schema are not registered yet');
  return inputs.fields(t as unknown as InputFieldBuilder, objectName) as never;
}
