import type { ObjectCatalog, ResolvedField } from '@crm/core';
import type { Builder } from '../builder.js';

type InputRef = ReturnType<Builder['inputType']>;
type InputFieldBuilder = PothosSchemaTypes.InputFieldBuilder<PothosSchemaTypes.ExtendDefaultTypes<import('../builder.js').SchemaTypes>, 'InputObject'>;

const inputTypeOf: Partial<Record<ResolvedField['kind'], string | [string]>> = {
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
  ) {}

  /** `{ customFields }` for an input of `objectName`, or nothing. */
  fields(t: InputFieldBuilder, objectName: string): Record<string, unknown> {
    const type = this.#type(objectName);
    return type ? { customFields: t.field({ type, description: `Values of the workspace's custom fields (null clears one).` }) } : {};
  }

  #type(objectName: string): InputRef | null {
    if (this.#types.has(objectName)) return this.#types.get(objectName)!;
    const custom = [...this.catalog.get(objectName).fields.values()].filter((f) => f.stored);
    const ref = custom.length
      ? this.builder.inputType(`${objectName}CustomFieldsInput`, {
          description: `The custom fields of ${objectName} this workspace defines.`,
          fields: (t) =>
            Object.fromEntries(custom.map((f) => [f.name, t.field({ type: inputTypeOf[f.kind] as never, description: f.description })])) as never,
        })
      : null;
    this.#types.set(objectName, ref);
    return ref;
  }
}
