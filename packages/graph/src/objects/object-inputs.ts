import { type ObjectCatalog, type ResolvedObject, sortKeys } from '@crm/core';
import type { Builder } from '../builder.js';
import { OperatorInputs } from './operator-inputs.js';

type InputRef = ReturnType<Builder['inputType']>;
type EnumRef = ReturnType<Builder['enumType']>;

/**
 * The GraphQL inputs derived from the declarations, made on first use and once per builder: `XFilter` (fields with
 * their operators, to-one relations as the target's filter, to-many relations with some/every/none, and/or/not),
 * `XOrderBy` with the `XOrderField` enum of every sortable field (own and of to-one relations).
 */
export class ObjectInputs {
  readonly operators: OperatorInputs;
  readonly #filters = new Map<string, InputRef>();
  readonly #manyFilters = new Map<string, InputRef>();
  readonly #orders = new Map<string, InputRef>();
  readonly #nulls: EnumRef;

  constructor(
    private readonly builder: Builder,
    readonly catalog: ObjectCatalog,
    private readonly enums: Readonly<Record<string, EnumRef>>,
    private readonly direction: EnumRef,
  ) {
    this.operators = new OperatorInputs(builder);
    this.#nulls = builder.enumType('NullsOrder', {
      description: 'Where rows whose sort field is empty go.',
      values: { FIRST: { value: 'FIRST' }, LAST: { value: 'LAST' } },
    });
  }

  enumRef(name: string): EnumRef {
    const ref = this.enums[name];
    if (!ref) throw new Error(`No GraphQL enum ${name} is registered`);
    return ref;
  }

  filter(objectName: string): InputRef {
    const found = this.#filters.get(objectName);
    if (found) return found;
    const object = this.catalog.get(objectName);
    const ref = this.builder.inputRef<Record<string, unknown>>(`${object.name}Filter`) as unknown as InputRef;
    this.#filters.set(objectName, ref);
    (ref as unknown as { implement: (options: object) => void }).implement({
      description: `Conditions on ${object.name} rows; all given conditions must hold (see docs/api.md, "Filtering").`,
      fields: (t: PothosSchemaTypes.InputFieldBuilder<never, 'InputObject'>) => this.#filterFields(t, object, ref),
    });
    return ref;
  }

  #filterFields(t: PothosSchemaTypes.InputFieldBuilder<never, 'InputObject'>, object: ResolvedObject, self: InputRef) {
    const fields: Record<string, unknown> = {
      and: t.field({ type: [self] as never, description: 'Every filter holds.' }),
      or: t.field({ type: [self] as never, description: 'At least one filter holds.' }),
      not: t.field({ type: self as never, description: 'The filter does not hold.' }),
    };
    for (const field of object.fields.values()) {
      if (!field.filter || field.kind === 'json') continue;
      const operators = field.kind === 'enum' ? this.operators.forKind('enum', field.enum, this.enumRef(field.enum!)) : this.operators.forKind(field.kind);
      fields[field.name] = t.field({ type: operators as never, description: field.description });
    }
    for (const relation of object.relations.values()) {
      if (fields[relation.name]) continue;
      const type = relation.kind === 'toOne' ? this.filter(relation.target) : this.manyFilter(relation.target);
      fields[relation.name] = t.field({ type: type as never, description: relation.kind === 'toOne' ? `The related ${relation.target} matches.` : undefined });
    }
    if (object.segmentable) fields.inSegment = t.id({ description: 'Is a member of this saved segment.' } as never);
    return fields as never;
  }

  manyFilter(objectName: string): InputRef {
    const found = this.#manyFilters.get(objectName);
    if (found) return found;
    // Registered before it is implemented: filters refer to each other through relations, in cycles.
    const ref = this.builder.inputRef<Record<string, unknown>>(`${objectName}ManyFilter`) as unknown as InputRef;
    this.#manyFilters.set(objectName, ref);
    const filter = this.filter(objectName);
    (ref as unknown as { implement: (options: object) => void }).implement({
      description: `Conditions on a list of related ${objectName} rows.`,
      fields: (t: PothosSchemaTypes.InputFieldBuilder<never, 'InputObject'>) => ({
        some: t.field({ type: filter as never, description: 'At least one related row matches.' }),
        every: t.field({ type: filter as never, description: 'Every related row matches (true when there are none).' }),
        none: t.field({ type: filter as never, description: 'No related row matches.' }),
      }),
    });
    return ref;
  }

  order(objectName: string): InputRef {
    const found = this.#orders.get(objectName);
    if (found) return found;
    const object = this.catalog.get(objectName);
    const keys = sortKeys(this.catalog, object);
    const fieldEnum = this.builder.enumType(`${object.name}OrderField`, {
      values: Object.fromEntries(
        keys.map((k) => [k.name, { value: k.name, description: k.relation ? `${k.relation}.${k.field.name}` : k.field.description }]),
      ),
    });
    const ref = this.builder.inputType(`${object.name}OrderBy`, {
      description: 'One sort key; later keys break ties of earlier ones, and the row id breaks the last ties.',
      fields: (t) => ({
        field: t.field({ type: fieldEnum, required: true }),
        direction: t.field({ type: this.direction, required: true, defaultValue: 'ASC' as never }),
        nulls: t.field({ type: this.#nulls, description: 'Where empty values go. @default last for ASC, first for DESC' }),
      }),
    });
    this.#orders.set(objectName, ref);
    return ref;
  }
}
