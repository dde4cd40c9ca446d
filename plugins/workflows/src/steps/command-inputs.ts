// How each step kind turns its input (templates filled in: step-input.ts) into what it writes with: its core command's
// input (a date text made a Date, a number made text, null or '' left out), an email's parts, a wait's end, the record
// a wait listens on, a loop's items. One builder per kind, key by key: the step runs with it, and publishing runs it on
// the definition's plain values and parses what it built with the command's own input schema
// (definition/plain-values.ts), so the two cannot disagree on a value written in the definition.
import type { CoreCommands } from '@crm/plugin-sdk';
import { createDealInput, createTaskInput, enumValuesOf, logActivityInput, segmentMembershipInput, updateCustomerTagsInput, type z } from '@crm/plugin-sdk';
import type { StepKind } from '../definition/document.js';
import { address, asIs, asText, date, id, list, optionalAnyText, optionalDate, optionalId, optionalText, recordId, segmentId, shown, StepValueError, text } from './input-values.js';
import type { StepInput } from './step-input.js';

/** One key of a step: its rule (`as`, throwing StepValueError) and its key in the command's input (`to`, default its own). */
export interface InputPart {
  as: (value: unknown, key: string) => unknown;
  /**
   * A stricter rule publishing checks new versions with, where the run keeps a looser one for versions published before
   * (an optional text: a list refused at publish, written "a,b" when a published version's template holds one).
   * @default `as`
   */
  publish?: (value: unknown, key: string) => unknown;
  to?: string;
  /** The command takes a list there: the value is its one item (a tag step's tag). */
  one?: true;
}

/** A step kind's builder: its keys' parts and, for a core command, the command's input schema. */
export interface InputBuilder {
  parts: Readonly<Record<string, InputPart>>;
  /** What the command takes besides the step's values, the same for every step of the kind (a segment step's `member`). */
  fixed?: Readonly<Record<string, unknown>>;
  /** What the command parses its input with (publishing parses each plain part it built with its key's schema). */
  schema?: z.ZodObject;
}

type TagItem = Parameters<CoreCommands['updateCustomersTags']>[0]['items'][number];
type MembershipItem = Parameters<CoreCommands['updateSegmentMemberships']>[0]['items'][number];

/** What each builder makes. */
export interface CommandInputs {
  createTask: Parameters<CoreCommands['createTasks']>[0]['items'][number];
  createDeal: Parameters<CoreCommands['createDeal']>[0];
  logActivity: Parameters<CoreCommands['logActivity']>[0];
  addTag: TagItem;
  removeTag: TagItem;
  addToSegment: MembershipItem;
  removeFromSegment: MembershipItem;
  sendEmail: { to: string; subject: string; text: string };
  wait: { until: Date };
  waitForEvent: { eventType: string; subjectId: string };
}
export type BuiltKind = keyof CommandInputs;

const part = (as: InputPart['as'], to?: string): InputPart => (to ? { as, to } : { as });
/** An optional text: any value as text when it runs (published versions' lists), only a single value in new versions. */
const optionalTextPart: InputPart = { as: optionalAnyText, publish: optionalText };
/** A tag step changes one tag: the command's list of tags to add or remove, with that one. */
const oneTag = (change: 'add' | 'remove'): InputPart => ({ as: text, to: change, one: true });
/**
 * A segment step sets one membership: the customer in the segment (`member`) or out of it. That a segment written in
 * the definition is a STATIC one of the workspace is read at publish too (definition/segment-steps.ts); the command
 * asks again when the step runs.
 */
const membership = (member: boolean): InputBuilder => ({
  schema: segmentMembershipInput,
  fixed: { member },
  parts: { segment: part(segmentId, 'segmentId'), customerId: part(id) },
});

export const inputBuilders: { readonly [K in BuiltKind]: InputBuilder } = {
  createTask: {
    schema: createTaskInput,
    parts: { title: part(text), notes: optionalTextPart, dueAt: part(optionalDate), assigneeId: part(optionalId), customerId: part(optionalId), dealId: part(optionalId) },
  },
  createDeal: {
    schema: createDealInput,
    parts: {
      title: part(text),
      customerId: part(id),
      amount: optionalTextPart,
      pipelineId: part(optionalId),
      stageId: part(optionalId),
      ownerId: part(optionalId),
      expectedCloseAt: part(optionalDate),
    },
  },
  logActivity: { schema: logActivityInput, parts: { customerId: part(id), type: part(asIs), channel: part(asIs), subject: part(text), body: optionalTextPart } },
  addTag: { schema: updateCustomerTagsInput, parts: { customerId: part(id, 'id'), tag: oneTag('add') } },
  removeTag: { schema: updateCustomerTagsInput, parts: { customerId: part(id, 'id'), tag: oneTag('remove') } },
  addToSegment: membership(true),
  removeFromSegment: membership(false),
  sendEmail: { parts: { to: part(address), subject: part(text), text: part(text) } },
  wait: { parts: { until: part(date) } },
  waitForEvent: { parts: { eventType: part(asIs), subjectId: part(recordId) } },
};

export const isBuilt = (kind: StepKind): kind is BuiltKind => Object.hasOwn(inputBuilders, kind);

/** One key's value as the command's input holds it (undefined: left out); `publishing`: by the part's rule for new versions. */
export function builtValue({ as, publish, one }: InputPart, value: unknown, key: string, publishing = false): unknown {
  const made = (publishing ? (publish ?? as) : as)(value, key);
  return one && made !== undefined ? [made] : made;
}

/** The input `kind`'s write takes, from the step's input; StepValueError (BAD_USER_INPUT naming the key) when a value cannot be. */
export function buildInput<K extends BuiltKind>(kind: K, input: StepInput): CommandInputs[K] {
  const built: Record<string, unknown> = { ...inputBuilders[kind].fixed };
  for (const [key, part] of Object.entries(inputBuilders[kind].parts)) {
    const value = builtValue(part, input[key], key);
    if (value !== undefined) built[part.to ?? key] = value;
  }
  return built as CommandInputs[K];
}

/** A declared field as a record value's rule reads it. */
interface FieldKind {
  kind: string;
  enum?: string | undefined;
  stored?: unknown;
}

/**
 * A record value (`updateRecord`, `createRecord`) as its object's writer takes it, by the field's declared kind, as the
 * command steps' builders write theirs: text fields take a number or true/false as text, money a number as text; a
 * number field a number, a boolean true or false, an enum one of its values; a declared date-and-time column's text
 * is made a Date (its command's schema takes a Date, as `createTask`'s `dueAt`). Null clears the field. A custom
 * field's date or money value goes as it is: its definition's rule reads it (a number rounded to cents) when it is
 * written, and the SDK's `checkValue` at publish.
 */
export function recordValue(field: FieldKind | undefined, value: unknown, key: string): unknown {
  if (!field || value === null || value === undefined) return value;
  switch (field.kind) {
    case 'string':
      return asText(value, key);
    case 'decimal':
      // A declared money column takes text; a custom MONEY field a number too (its own rule rounds it to cents).
      return typeof value === 'number' && !field.stored ? String(value) : value;
    case 'int':
    case 'bigint':
    case 'float':
      if (typeof value !== 'number') throw new StepValueError(key, `a number, not ${shown(value)}`);
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw new StepValueError(key, `true or false, not ${shown(value)}`);
      return value;
    case 'datetime':
      return field.stored ? value : date(value, key);
    case 'enum': {
      const allowed = field.enum ? enumValuesOf(field.enum) : undefined;
      if (allowed && !allowed.includes(value as string)) throw new StepValueError(key, `one of ${allowed.join(', ')} (got ${shown(value)})`);
      return value;
    }
    default:
      return value;
  }
}

/** Record values as the writer of `target` takes them (`recordValue`, each named `values.<field>`). */
export function recordValues(target: { fields: ReadonlyMap<string, FieldKind> } | null, values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, recordValue(target?.fields.get(name), value, `values.${name}`)]));
}

/** Objects' declared fields by name, as `recordValues` reads a target's (the SDK's catalog). */
interface FieldCatalog {
  has(name: string): boolean;
  get(name: string): { fields: ReadonlyMap<string, FieldKind> };
}

/**
 * What the run of a step of `kind` makes of its input before it writes (its builder, its record values): the value the
 * run would refuse is a StepValueError. The dry run calls it, so it shows the failure the run would meet.
 */
export function checkRunInput(kind: StepKind, input: StepInput, catalog: FieldCatalog): void {
  if (isBuilt(kind)) buildInput(kind, input);
  else if (kind === 'updateRecord' || kind === 'createRecord') {
    const object = String(input.object ?? '');
    recordValues(catalog.has(object) ? catalog.get(object) : null, (input.values ?? {}) as Record<string, unknown>);
  }
}

/** A loop's items (`forEach.items`): a list of at most `max`. */
export function loopItems(value: unknown, max: number): unknown[] {
  const items = list(value, 'items');
  if (items.length > max) throw new StepValueError('items', `${items.length} items, over this loop's limit of ${max}`);
  return items;
}
