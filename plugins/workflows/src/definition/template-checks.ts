// Publishing's checks of a definition's template paths (`{{trigger.record.x}}`, `{{trigger.event.x}}`,
// `{{steps.<id>.output.x}}`, `{{item}}`): each path names something that exists where its step runs, and where a step
// needs a type (a date, a number, an id of an object) its template holds that type. Part of validate.ts's check.
import { type ActionInfo, badInput, enumValuesOf, type EventCatalog, type RecordAccess } from '@crm/plugin-sdk';
import type { Step, WorkflowDefinition } from './document.js';
import { type ChangedField, EVENT_FIELDS, type EventRead, eventPartType, eventPayloadSources, type PayloadSources } from './event-payloads.js';
import type { Plan } from './plan.js';
import { openOutputs, stepOutputTypes } from './step-outputs.js';
import { hasTemplate, TEMPLATE_SOURCE, templatePaths, wholeTemplate } from './templates.js';
import { conditionProblem, type ValueCondition } from './value-condition.js';
import { actionKeyType, describeType, fieldValueType, fits, ISO_DATE_TIME, stepNeeds, type ValueType } from './value-types.js';

type WaitStep = Extract<Step, { kind: 'waitForEvent' }>;

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
  /** The host's event catalog: a wait's event typed by its declared payload (none: unchecked). */
  events: EventCatalog | undefined;
  /** The object an event type is about (null: unknown); refuses an unknown type naming `field`. */
  eventSubject: (type: string, field: string) => string | null;
  plan: Plan;
}

/** An `updateRecord` through a to-many relation of the trigger's record (`declared`): it changes many, its output's `id` is null. */
export const isToManyUpdate = (step: Step, declared: TemplateScope['declared'] | undefined): boolean =>
  step.kind === 'updateRecord' && step.record === undefined && step.relation !== undefined && declared?.relations.get(step.relation)?.kind === 'toMany';

/** The checks of one definition: a step's templates (`checkPaths`), one typed value (`checkTyped`), record values. */
export function templateChecks({ trigger: t, objects, actions, object, declared, triggerSubject, triggerPayloads, events, eventSubject, plan }: TemplateScope) {
  /** The run's trigger event: stored with its custom fields' changes by name (field-changes.ts' `payloadByName`). */
  const triggerRead: EventRead = { subject: triggerSubject, payloads: triggerPayloads, changesByName: true };
  /**
   * The event a wait waits for: about `subjectId`'s record or the run's. `changesByName`: its `where` reads them so;
   * its output holds the event as core wrote it.
   */
  const waitRead = (step: WaitStep, at: string, changesByName: boolean): EventRead => ({
    subject: eventSubject(step.eventType, at) ?? (step.subjectId === undefined ? object : null),
    payloads: eventPayloadSources(events, step.eventType),
    changesByName,
  });
  /** The type of an event read (`rest` after the event) by the one rule (`eventPartType`); BAD_USER_INPUT naming `field` when it names nothing. */
  const eventRead = (rest: readonly string[], read: EventRead, path: string, field: string): { type: ValueType; field?: ChangedField } => {
    const found = eventPartType(rest, read, objects.catalog);
    return 'problem' in found ? fail(field, `{{${path}}}: ${found.problem}`) : found;
  };

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

  /**
   * The type of a path that exists (checkPaths checked it): a field by its declared kind, an event's part, an output;
   * with the field whose change it reads, if any (a condition's operands are checked against it).
   */
  const typingOf = (path: string): { type: ValueType; field?: ChangedField; subject?: string | null } => {
    const [root, second, ...rest] = path.split('.');
    if (root === 'trigger' && second === 'record') {
      const [name, sub] = rest as [string, string | undefined];
      const field = declared!.fields.get(name);
      if (field) return { type: fieldValueType(field, declared!.name) };
      const target = objects.catalog.target(declared!.relations.get(name)!);
      return { type: fieldValueType(target.fields.get(sub!)!, target.name) };
    }
    if (root === 'trigger' && second === 'event') return { ...eventRead(rest, triggerRead, path, path), subject: triggerSubject };
    if (root === 'steps') {
      const source = plan.steps.get(second!)!.step;
      const [, key, ...deeper] = rest;
      // A received event (null when the wait timed out: every wait has a timeout).
      if (source.kind === 'waitForEvent' && key === 'event') {
        const read = waitRead(source, path, false);
        const typed = eventRead(deeper, read, path, path);
        return { ...typed, type: { ...typed.type, nullable: true }, subject: read.subject };
      }
      return { type: typeOfOutput(source, key, deeper) };
    }
    return { type: root === 'index' ? { kind: 'number' } : { kind: 'unknown' } };
  };
  const typeOfPath = (path: string): ValueType => typingOf(path).type;

  /** The type of a step's output key (deeper: read inside a structured one, untyped). */
  const typeOfOutput = (source: Step, key: string | undefined, deeper: readonly string[]): ValueType => {
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
      eventRead(rest.length ? rest : [''], triggerRead, path, field);
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
      if (source!.step.kind === 'waitForEvent' && key === 'event') eventRead(deeper, waitRead(source!.step, field, false), path, field);
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

  /** A wait's `{{event.…}}` (the event waited for, read as its `where` reads it: `eventHolds`), by the one rule. */
  const waitConditionTyping = (path: string, step: WaitStep, field: string) => {
    const [root, ...rest] = path.split('.');
    const shape = `{{event.<${[...EVENT_FIELDS].join('|')}>}} or {{event.payload.…}}`;
    if (root !== 'event' || !rest.length) return fail(field, `{{${path}}}: a wait's condition tests the event waited for: ${shape}`);
    const read = waitRead(step, field, true);
    return { ...eventRead(rest, read, path, field), subject: read.subject };
  };

  /**
   * A value condition's typed checks: an operator and operand that fit its value's type, and for a change of an enum
   * field, operands among its values (`DONE`, not `Done`); of a custom field, operands it could hold, by its definition
   * (the SDK's `checkCustomValue`: a select field's among its options).
   */
  const checkConditionTyped = (condition: ValueCondition, at: string, path: string, { type, field: declared, subject }: ReturnType<typeof typingOf>) => {
    const problem = conditionProblem(type, condition, `{{${path}}} is ${describeType(type)}`);
    if (problem) fail(`${at}.${problem.key}`, problem.message);
    const allowed = declared?.kind === 'enum' && declared.enum ? enumValuesOf(declared.enum) : null;
    const operands = condition.operator === 'in' ? (condition.operand as unknown[]) : condition.operator === 'eq' || condition.operator === 'neq' ? [condition.operand] : [];
    const wrong = allowed ? operands.find((operand) => operand !== null && !allowed.includes(operand as string)) : undefined;
    if (wrong !== undefined) fail(`${at}.operand`, `{{${path}}} is one of ${allowed!.join(', ')} (got ${JSON.stringify(wrong)})`);
    if (declared?.stored && subject) for (const operand of operands) if (operand !== null) objects.checkCustomValue(subject, declared.name, operand, `${at}.operand`);
  };

  /** A `condition`/`switch` value condition on a path `checkPath` checked. */
  const checkValueCondition = (condition: ValueCondition, at: string, path: string) => checkConditionTyped(condition, at, path, typingOf(path));

  /** A `waitForEvent`'s `where`: exactly one `{{event.…}}` template, its operator and operands fitting its type. */
  const checkEventCondition = (step: WaitStep, at: string) => {
    const condition = step.where!;
    const path = wholeTemplate(condition.value);
    if (path === null) fail(`${at}.value`, 'exactly one template, the value of the event tested ({{event.payload.changes.status.to}})');
    checkConditionTyped(condition, at, path!, waitConditionTyping(path!, step, `${at}.value`));
  };

  return { checkPaths, checkPath, typeOfPath, checkTyped, checkValueTypes, checkEventCondition, checkValueCondition };
}
