import { type CompareOp, type FieldKind, listOps, operatorsByKind, relativeDateOps } from '@crm/core';
import type { Builder } from '../builder.js';

type InputRef = ReturnType<Builder['inputType']>;
/** A GraphQL input or scalar/enum type a filter operand can have. */
type OperandType = 'ID' | 'String' | 'Int' | 'Float' | 'Boolean' | 'Decimal' | 'DateTime' | 'Date' | object;

const descriptions: Partial<Record<CompareOp | (typeof relativeDateOps)[number], string>> = {
  neq: 'Different from the value; rows where the field is null match too.',
  notIn: 'None of the values; rows where the field is null match too.',
  isNull: 'true: the field is empty; false: it has a value.',
  contains: 'Contains the text (case-insensitive; % and _ are plain characters).',
  startsWith: 'Starts with the text (case-insensitive).',
  endsWith: 'Ends with the text (case-insensitive).',
  has: 'The list contains this value.',
  hasAny: 'The list contains at least one of the values.',
  hasAll: 'The list contains every value.',
  isEmpty: 'true: the list is empty; false: it has values.',
  lastNDays: 'Within the last N days up to now.',
  nextNDays: 'From now to N days ahead.',
};

/**
 * The operator inputs of the filter language, one per field kind (`StringFilter`, `DecimalFilter`, …) and one per
 * enum (`LifecycleStageFilter`), built from the operator table in @crm/core so both sides list them once.
 */
export class OperatorInputs {
  readonly #byName = new Map<string, InputRef>();

  constructor(private readonly builder: Builder) {}

  /** The operator input of a field kind (an enum kind: of that enum, given its GraphQL type). */
  forKind(kind: Exclude<FieldKind, 'json'>, enumName?: string, enumRef?: object): InputRef {
    const operand: Record<Exclude<FieldKind, 'json' | 'enum'>, OperandType> = {
      id: 'ID',
      reference: 'ID',
      string: 'String',
      stringList: 'String',
      int: 'Int',
      bigint: 'Float',
      float: 'Float',
      decimal: 'Decimal',
      boolean: 'Boolean',
      datetime: 'DateTime',
      date: 'Date',
    };
    const name =
      kind === 'enum'
        ? `${enumName}Filter`
        : { id: 'IDFilter', reference: 'IDFilter', string: 'StringFilter', stringList: 'StringListFilter', int: 'IntFilter', bigint: 'WholeNumberFilter', float: 'FloatFilter', decimal: 'DecimalFilter', boolean: 'BooleanFilter', datetime: 'DateTimeFilter', date: 'DateFilter' }[kind];
    const existing = this.#byName.get(name);
    if (existing) return existing;
    const type = kind === 'enum' ? enumRef! : operand[kind];
    const ops = operatorsByKind[kind];
    const ref = this.builder.inputType(name, {
      description: `Conditions on a ${kind === 'enum' ? enumName : kind} field; all given conditions must hold.`,
      fields: (t) => {
        const fields: Record<string, unknown> = {};
        for (const op of ops) {
          const description = descriptions[op];
          if (op === 'isNull' || op === 'isEmpty') fields[op] = t.boolean({ description });
          else if (listOps.has(op)) fields[op] = t.field({ type: [type] as never, description });
          else fields[op] = t.field({ type: type as never, description });
        }
        if (kind === 'datetime') for (const op of relativeDateOps) fields[op] = t.int({ description: descriptions[op] });
        return fields as never;
      },
    });
    this.#byName.set(name, ref);
    return ref;
  }
}
