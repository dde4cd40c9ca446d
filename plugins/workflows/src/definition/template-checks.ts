// Publishing's checks of a definition's template paths (`{{trigger.record.x}}`, `{{trigger.event.x}}`,
// `{{steps.<id>.output.x}}`, `{{item}}`): each path names something that exists where its step runs, and where a step
// needs a type (a date, a number, an id of an object) its template holds that type. Part of validate.ts's check.
import { type ActionInfo, badInput, enumValuesOf, type RecordAccess } from '@crm/plugin-sdk';
import type { Step, WorkflowDefinition } from './document.js';
import { type PayloadSources, payloadRead } from './event-payloads.js';
import type { Plan } from './plan.js';
import { openOutputs, stepOutputTypes } from './step-outputs.js';
import { hasTemplate, TEMPLATE_SOURCE, templatePaths, wholeTemplate } from './templates.js';
import { conditionProblem, type ValueCondition } from './value-condition.js';
import { actionKeyType, describeType, fieldValueType, fits, ISO_DATE_TIME, stepNeeds, type ValueType } from './value-types.js';

const EVENT_FIELDS = new Set(['id', 'type', 'actor', 'occurredAt', 'subjectType', 'subjectId']);

/** BAD_USER_INPUT naming the field (`definition.steps.1.title`). */
export const fail = (field: string, message: string): never => {
  throw badInput(`${field}: ${message}`, field);
};

/** Whether the trigger has an event for templates (`trigger.event.*`). */
const hasEvent = (t: WorkflowDefinition['trigger']) => t.kind === 'record' || t.kind === 'event' || t.kind === 'webhook';

/** What the paths are checked against: the trigger, its object, the event's subject, the steps' plan. */
export interface TemplateScope {
  trigger: WorkflowDefinition['trigger'];
  objects: RecordAccess;
  /** The enabled plugins' actions: a `callAction` step outputs what its action declares (untyped when it declares none). */
  actions: readonly ActionInfo[];
  /** The trigger's object (null: the trigger has no record) and its declaration. */
  object: string | null;
  declared: ReturnType<RecordAccess['catalog']['get']> | null;
  /** The object the trigger's event is about, when known (a `subjectId` of that object). */
  triggerSubject: string | null;
  /** The events that start a run, with their declared payloads (`trigger.event.payload.*` typed by them); null: unchecked. */
  triggerPayloads: PayloadSources;
  plan: Plan;
}

/** An `updateRecord` through a to-many relation of the trigger's record (`declared`): it changes many, its output's `id` is null. */
export const isToManyUpdate = (step: Step, declared: TemplateScope['declared'] | undefined): boolean =>
  step.kind === 'updateRecord' && step.record === undefined && step.relation !== undefined && declared?.relations.get(step.relation)?.kind === 'toMany';

/** The checks of one definition: a step's templates (`checkPaths`), one typed value (`checkTyped`), record values. */
export function templateChecks({ trigger: t, objects, actions, object, declared, triggerSubject, triggerPayloads, plan }: TemplateScope) {
  /** A `callAction` step's action, when it declares its output. */
  const typedAction = (step: Step) => (step.kind === 'callAction' ? actions.find((a) => a.name === step.action && a.output) : undefined);
  /** A step's output keys with their types (null: any key, of unknown type: an action that declares no output). */
  const outputTypesOf = (step: Step): Readonly<Record<string, ValueType>> | null => {
    const output = typedAction(step)?.output;
    if (!output) return stepOutputTypes[step.kind];
    return Object.fromEntries(Object.entries(output).map(([key, field]) => [key, actionKeyType(key, field, objects.catalog.objects, 'output')]));
  };
  /** Whether an output is read deeper (`{{steps.s.output.body.total}}`): a structured one; of an action, a list or any value. */
  const isOpen = (step: Step, key: string) => {
    const output = typedAction(step)?.output;
    return output ? output[key]?.kind === 'list' || output[key]?.kind === 'unknown' : openOutputs.has(key);
  };

  const recordPathProblem = (rest: string[]): string | null => {
    if (!declared) return 'this trigger has no record (give the trigger an `object`)';
    const [name, sub, ...deeper] = rest;
    if (!name) return 'name a field of the record';
    if (declared.fields.has(name)) return sub === undefined ? null : `${object}.${name} is a value, not an object`;
    const relation = declared.relations.get(name);
    if (relation?.kind === 'toOne' && !relation.keyOnTarget) {
      const target = objects.catalog.target(relation);
      if (!sub || !target.fields.has(sub) || deeper.length) return `name a field of ${target.name} (${object}.${name})`;
      return null;
    }
    return `${object} has no field or to-one relation ${name}`;
  };

  /** The type of a read of a declared payload (`sources`); BAD_USER_INPUT naming `field` and the keys there are when none has it. */
  const payloadType = (sources: NonNullable<PayloadSources>, rest: readonly string[], path: string, field: string): ValueType => {
    const read = payloadRead(sources, rest, objects.catalog.objects);
    return 'type' in read ? read.type : fail(field, `{{${path}}}: ${read.problem}`);
  };

  /** An `updateRecord` through a to-many relation of the trigger's record: its output's `id` is always null. */

  /** The type of a path that exists (checkPaths checked it): a field by its declared kind, an event's part, an output. */
  const typeOfPath = (path: string): ValueType => {
    const [root, second, ...rest] = path.split('.');
    if (root === 'trigger' && second === 'record') {
      const [name, sub] = rest as [string, string | undefined];
      const field = declared!.fields.get(name);
      if (field) return fieldValueType(field, declared!.name);
      const target = objects.catalog.target(declared!.relations.get(name)!);
      return fieldValueType(target.fields.get(sub!)!, target.name);
    }
    if (root === 'trigger' && second === 'event') {
      if (rest[0] === 'occurredAt') return { kind: 'date' };
      if (rest[0] === 'subjectId') return triggerSubject ? { kind: 'id', object: triggerSubject } : { kind: 'id' };
      if (rest[0] !== 'payload') return { kind: 'text' };
      return triggerPayloads ? payloadType(triggerPayloads, rest.slice(1), path, path) : { kind: 'unknown' };
    }
    if (root === 'steps') {
      const source = plan.steps.get(second!)!.step;
      const [, key, ...deeper] = rest;
      const type = deeper.length ? undefined : outputTypesOf(source)?.[key!];
      if (!type) return { kind: 'unknown' };
      if (type.kind === 'id' && !type.object) {
        if (source.kind === 'createRecord') return { kind: 'id', object: source.object };
        if (source.kind === 'updateRecord' && source.record !== undefined) {
          // Its object: given, or (publishing fills it in) the type of the id its `record` holds.
          const held = typeof source.record === 'string' ? wholeTemplate(source.record) : null;
          return source.object ? { kind: 'id', object: source.object } : held ? typeOfPath(held) : type;
        }
        if (source.kind === 'updateRecord') {
          const relation = source.relation === undefined ? undefined : declared?.relations.get(source.relation);
          const target = relation ? objects.catalog.target(relation).name : object;
          return target ? { kind: 'id', object: target } : type;
        }
      }
      return type;
    }
    return root === 'index' ? { kind: 'number' } : { kind: 'unknown' };
  };

  /**
   * Why text with templates in it is no date where one is needed, or null: it makes an ISO date/time once its
   * templates are filled in (`{{trigger.record.renewsOn}}T09:00:00Z`: a custom `date` field, a calendar day, and a time
   * of day). Each template must hold a date (or a value of unknown type, taken for a day). One holding an instant (a
   * `datetime` field, an event's `occurredAt`, a step's date output) is a date and time already: text around it makes
   * none (`2027-03-31T10:00:00.000ZT09:00:00Z`), so it is refused here rather than failing every run.
   */
  const dateTextProblem = (text: string): string | null => {
    let unfit = false;
    const instants: string[] = [];
    const filled = text.replace(new RegExp(TEMPLATE_SOURCE, 'g'), (_m, inner: string) => {
      const type = typeOfPath(inner.trim());
      if (!fits({ kind: 'date' }, type)) unfit = true;
      if (type.kind !== 'date' || type.day) return '2000-01-31';
      instants.push(inner.trim());
      return '2000-01-31T00:00:00.000Z';
    });
    if (!unfit && ISO_DATE_TIME.test(filled)) return null;
    const why = !unfit && instants.length ? ` ({{${instants[0]}}} is a date and time, not a day: only a \`date\` field's day takes a time of day after it)` : '';
    return `text with templates in it; this needs a date${why}`;
  };

  /**
   * A typed input: a whole template must hold `need`; text with templates in it is text, except that where a date is
   * needed, text that makes a date/time (`dateTextProblem`) is one. Literal values pass.
   */
  const checkTyped = (value: unknown, need: ValueType, field: string) => {
    if (typeof value !== 'string') return;
    const path = wholeTemplate(value);
    if (path === null && !hasTemplate(value)) return;
    if (path === null && need.kind === 'date') {
      const problem = dateTextProblem(value);
      if (problem) fail(field, problem);
      return;
    }
    const have: ValueType = path !== null ? typeOfPath(path) : { kind: 'text' };
    if (!fits(need, have)) {
      const what = path === null ? 'text with templates in it' : `{{${path}}} is ${describeType(have)}`;
      const { nullable: _null, ...present } = have;
      const neverNull = need.required && have.nullable && fits(need, present) ? ', never null' : '';
      fail(field, `${what}; this needs ${describeType(need)}${neverNull}`);
    }
  };

  const checkPaths = (step: Step, earlier: readonly string[], stepAt: string, inLoop: boolean) => {
    const { id: _id, kind: _kind, name: _name, ...values } = step as Step & Record<string, unknown>;
    // Nested steps (branches, a loop's step) are checked as steps of their own.
    for (const nested of ['then', 'else', 'cases', 'default', 'onTimeout', 'do']) delete (values as Record<string, unknown>)[nested];
    // A wait's condition reads the event waited for, not the run's values: `checkEventCondition`.
    if (step.kind === 'waitForEvent') delete (values as Record<string, unknown>).where;
    for (const { path, at: where } of templatePaths(values, '')) checkPath(path, `${stepAt}.${where}`, earlier, inLoop);
    for (const [key, need] of Object.entries(stepNeeds(step))) checkTyped((values as Record<string, unknown>)[key], need, `${stepAt}.${key}`);
  };

  /** One template path where it is used (`field`): it names something that exists where its step runs. */
  const checkPath = (path: string, field: string, earlier: readonly string[], inLoop: boolean) => {
    const [root, second, ...rest] = path.split('.');
    if (root === 'trigger' && second === 'record') {
      const problem = recordPathProblem(rest);
      if (problem) fail(field, `{{${path}}}: ${problem}`);
    } else if ((root === 'item' || root === 'index') && inLoop) {
      if (root === 'index' && second !== undefined) fail(field, `{{${path}}}: index is a number`);
    } else if (root === 'trigger' && second === 'event') {
      if (!hasEvent(t)) fail(field, `{{${path}}}: a ${t.kind} trigger has no event`);
      if (!(rest[0] === 'payload' || (rest.length === 1 && EVENT_FIELDS.has(rest[0]!)))) {
        fail(field, `{{${path}}}: an event has ${[...EVENT_FIELDS].join(', ')} and payload.*`);
      }
      if (rest[0] === 'payload' && triggerPayloads) payloadType(triggerPayloads, rest.slice(1), path, field);
    } else if (root === 'steps') {
      const source = second ? plan.steps.get(second) : undefined;
      if (!source) fail(field, `{{${path}}}: no step ${second ?? ''}`);
      if (!earlier.includes(second!)) fail(field, `{{${path}}}: step ${second} does not always run before this one`);
      if (source!.inLoop) fail(field, `{{${path}}}: ${second} is done by a loop; name the loop's output (steps.<loop>.output.outputs)`);
      const [output, key, ...deeper] = rest;
      const types = outputTypesOf(source!.step);
      const keys = types && Object.keys(types);
      if (output !== 'output') fail(field, `{{${path}}}: a step's values are under output (steps.${second}.output.<key>)`);
      if (keys && (!key || !keys.includes(key) || (deeper.length && !isOpen(source!.step, key)))) {
        const action = typedAction(source!.step);
        fail(field, `{{${path}}}: ${action ? `step ${second} calls ${action.name}, whose declared output has ${keys.join(', ')}` : `a ${source!.step.kind} step outputs ${keys.join(', ')}`}`);
      }
      if (key === 'id' && isToManyUpdate(source!.step, declared)) fail(field, `{{${path}}}: ${second} changes the records of a to-many relation and has no one id: name steps.${second}.output.ids (or count)`);
    } else {
      fail(field, `{{${path}}}: a template starts with trigger.record, trigger.event or steps.<id>.output${inLoop ? ' (or item, index in a loop)' : ''}`);
    }
  };

  /** Record values (`updateRecord`, `createRecord`) typed by the target object's fields. */
  const checkValueTypes = (target: { name: string; fields: ReadonlyMap<string, { kind: string; references?: string | undefined }> }, values: Record<string, unknown>, stepAt: string) => {
    for (const [name, value] of Object.entries(values)) {
      const field = target.fields.get(name);
      if (field) checkTyped(value, fieldValueType(field, target.name), `${stepAt}.values.${name}`);
    }
  };

  /**
   * The type of `{{event.…}}` in a wait's condition (the event waited for, about a `subject`): its parts as the
   * trigger's event's, and a change of one of the subject's fields (`event.payload.changes.<field>.from|to`, as record
   * update events carry them) typed by that field, which must exist. The field, when the path names one.
   */
  const eventPathType = (
    path: string,
    subject: string | null,
    field: string,
    payloads: PayloadSources,
  ): { type: ValueType; declared?: { name: string; kind: string; enum?: string | undefined; stored?: object | undefined } } => {
    const [root, part, ...rest] = path.split('.');
    const shape = `{{event.<${[...EVENT_FIELDS].join('|')}>}} or {{event.payload.…}}`;
    if (root !== 'event' || !part) return fail(field, `{{${path}}}: a wait's condition tests the event waited for: ${shape}`);
    // A declared payload types what it holds; its field changes are typed by the subject's fields below.
    if (part === 'payload' && payloads && (rest[0] !== 'changes' || !payloads.some((p) => Object.hasOwn(p.payload.shape, 'changes')))) {
      return { type: payloadType(payloads, rest, path, field) };
    }
    if (part === 'payload') {
      const target = subject && objects.catalog.has(subject) ? objects.catalog.get(subject) : null;
      if (rest[0] !== 'changes' || rest.length < 2 || !target) return { type: { kind: 'unknown' } };
      const declared = target.fields.get(rest[1]!);
      if (!declared) return fail(field, `{{${path}}}: ${subject} has no field ${rest[1]}`);
      if (rest.length === 2) return { type: { kind: 'unknown' } };
      if (rest.length !== 3 || (rest[2] !== 'from' && rest[2] !== 'to')) return fail(field, `{{${path}}}: a change is read as changes.${rest[1]}.from or changes.${rest[1]}.to`);
      return { type: fieldValueType(declared, target.name), declared };
    }
    if (rest.length || !EVENT_FIELDS.has(part)) return fail(field, `{{${path}}}: ${shape}`);
    if (part === 'occurredAt') return { type: { kind: 'date' } };
    if (part === 'subjectId') return { type: subject ? { kind: 'id', object: subject } : { kind: 'id' } };
    return { type: { kind: 'text' } };
  };

  /**
   * A `waitForEvent`'s `where`: exactly one `{{event.…}}` template (`eventPathType`), an operator and operand that fit
   * its type, and for an enum field's change, operands among its values (`DONE`, not `Done`); for a custom field's,
   * operands it could hold, by its definition (the SDK's `checkCustomValue`: a select field's among its options).
   */
  const checkEventCondition = (condition: ValueCondition, at: string, subject: string | null, payloads: PayloadSources) => {
    const path = wholeTemplate(condition.value);
    if (path === null) fail(`${at}.value`, 'exactly one template, the value of the event tested ({{event.payload.changes.status.to}})');
    const { type, declared } = eventPathType(path!, subject, `${at}.value`, payloads);
    const problem = conditionProblem(type, condition, `{{${path}}} is ${describeType(type)}`);
    if (problem) fail(`${at}.${problem.key}`, problem.message);
    const allowed = declared?.kind === 'enum' && declared.enum ? enumValuesOf(declared.enum) : null;
    const operands = condition.operator === 'in' ? (condition.operand as unknown[]) : condition.operator === 'eq' || condition.operator === 'neq' ? [condition.operand] : [];
    const wrong = allowed ? operands.find((operand) => operand !== null && !allowed.includes(operand as string)) : undefined;
    if (wrong !== undefined) fail(`${at}.operand`, `{{${path}}} is one of ${allowed!.join(', ')} (got ${JSON.stringify(wrong)})`);
    if (declared?.stored && subject) for (const operand of operands) if (operand !== null) objects.checkCustomValue(subject, declared.name, operand, `${at}.operand`);
  };

  return { checkPaths, checkPath, typeOfPath, checkTyped, checkValueTypes, checkEventCondition };
}
