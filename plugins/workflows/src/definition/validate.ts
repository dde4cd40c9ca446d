// Publishing checks a definition completely, so that a published version can only fail on data, never on its own
// shape: the document (zod), the trigger against the object model (objects, fields, the filter language), each step's
// references (fields, actions, the customer it acts on) and every template path (typed: the trigger's record fields
// and to-one relations, the event, the outputs of steps that surely ran before). Errors are BAD_USER_INPUT with
// `extensions.field` naming the path in the input (`definition.steps.1.title`).
import { type ActionInfo, badInput, coreCommandNames, type RecordAccess } from '@crm/plugin-sdk';
import { Cron } from 'croner';
import { definition as documentSchema, type Step, type WorkflowDefinition } from './document.js';
import { planOf, type Plan } from './plan.js';
import { stepOutputs } from './step-outputs.js';
import { templatePaths } from './templates.js';

export interface CheckedDefinition {
  definition: WorkflowDefinition;
  plan: Plan;
  /** What the trigger listens to: `record:Customer`, `event:deal.lost`, `schedule`, `manual:Customer`. */
  triggerKey: string;
}

export interface DefinitionServices {
  objects: RecordAccess;
  actions: readonly ActionInfo[];
}

const EVENT_FIELDS = new Set(['id', 'type', 'actor', 'occurredAt', 'subjectType', 'subjectId']);
const fail = (field: string, message: string): never => {
  throw badInput(`${field}: ${message}`, field);
};

/** The core command that updates records of `object` (`updateCustomer`), if there is one. */
export const updateCommandOf = (object: string) => {
  const name = `update${object}`;
  return (coreCommandNames as readonly string[]).includes(name) ? name : null;
};

/** The object whose records the trigger hands to the steps (null: schedules, events without one). */
export function triggerObject(definition: WorkflowDefinition): string | null {
  const t = definition.trigger;
  return t.kind === 'schedule' ? null : (t.object ?? null);
}

export function triggerKeyOf(definition: WorkflowDefinition): string {
  const t = definition.trigger;
  if (t.kind === 'record') return `record:${t.object}`;
  if (t.kind === 'event') return `event:${t.eventType}`;
  if (t.kind === 'manual') return `manual:${t.object}`;
  return 'schedule';
}

/** The trigger record's to-one relations that templates read (`trigger.record.customer.ownerId` → `customer`). */
export function recordRelations(definition: WorkflowDefinition, objects: RecordAccess): string[] {
  const object = triggerObject(definition);
  if (!object) return [];
  const declared = objects.catalog.get(object);
  const names = new Set<string>();
  for (const { path } of templatePaths(definition.steps, 'steps')) {
    const [root, kind, name] = path.split('.');
    if (root === 'trigger' && kind === 'record' && name && declared.relations.has(name)) names.add(name);
  }
  return [...names];
}

export function checkDefinition(raw: unknown, services: DefinitionServices, at = 'definition'): CheckedDefinition {
  const parsed = documentSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    fail([at, ...issue.path.map(String)].join('.'), issue.message);
  }
  const definition = parsed.data!;
  const plan = planOf(definition.steps);
  if (plan.duplicates.length) fail(`${at}.${plan.duplicates[0]}`, 'step ids are unique in a workflow');
  const { objects, actions } = services;
  const t = definition.trigger;

  const object = triggerObject(definition);
  if (object !== null && !objects.catalog.has(object)) {
    fail(`${at}.trigger.object`, `no object ${object} is declared (known: ${[...objects.catalog.objects].map((o) => o.name).join(', ')})`);
  }
  const declared = object ? objects.catalog.get(object) : null;
  if (t.kind === 'record') {
    if (t.on !== 'updated' && (t.fields || t.from !== undefined || t.to !== undefined)) fail(`${at}.trigger.fields`, 'fields, from and to apply to `updated` triggers');
    t.fields?.forEach((field, i) => {
      if (!declared!.fields.has(field)) fail(`${at}.trigger.fields.${i}`, `${object} has no field ${field}`);
    });
    if ((t.from !== undefined || t.to !== undefined) && t.fields?.length !== 1) fail(`${at}.trigger.fields`, 'from and to need exactly one field');
  }
  if ((t.kind === 'record' || t.kind === 'event') && t.condition) {
    if (!object) fail(`${at}.trigger.condition`, 'a condition needs the trigger’s `object`');
    objects.parseFilter(object!, t.condition, `${at}.trigger.condition`);
  }
  if (t.kind === 'schedule') {
    try {
      new Intl.DateTimeFormat('en', { timeZone: t.timeZone });
    } catch {
      fail(`${at}.trigger.timeZone`, `not a time zone: ${t.timeZone}`);
    }
    try {
      new Cron(t.cron, { timezone: t.timeZone, paused: true });
    } catch (error) {
      fail(`${at}.trigger.cron`, error instanceof Error ? error.message : 'not a cron expression');
    }
  }

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

  const checkPaths = (step: Step, earlier: readonly string[], stepAt: string) => {
    const { id: _id, kind: _kind, name: _name, ...values } = step as Step & Record<string, unknown>;
    if (step.kind === 'condition') return; // its branches are checked as steps of their own
    for (const { path, at: where } of templatePaths(values, '')) {
      const field = `${stepAt}.${where}`;
      const [root, second, ...rest] = path.split('.');
      if (root === 'trigger' && second === 'record') {
        const problem = recordPathProblem(rest);
        if (problem) fail(field, `{{${path}}}: ${problem}`);
      } else if (root === 'trigger' && second === 'event') {
        if (t.kind === 'schedule' || t.kind === 'manual') fail(field, `{{${path}}}: a ${t.kind} trigger has no event`);
        if (!(rest[0] === 'payload' || (rest.length === 1 && EVENT_FIELDS.has(rest[0]!)))) {
          fail(field, `{{${path}}}: an event has ${[...EVENT_FIELDS].join(', ')} and payload.*`);
        }
      } else if (root === 'steps') {
        const source = second ? plan.steps.get(second) : undefined;
        if (!source) fail(field, `{{${path}}}: no step ${second ?? ''}`);
        if (!earlier.includes(second!)) fail(field, `{{${path}}}: step ${second} does not always run before this one`);
        const [output, key, ...deeper] = rest;
        const keys = stepOutputs[source!.step.kind];
        if (output !== 'output') fail(field, `{{${path}}}: a step's values are under output (steps.${second}.output.<key>)`);
        if (keys && (!key || !keys.includes(key) || deeper.length)) fail(field, `{{${path}}}: a ${source!.step.kind} step outputs ${keys.join(', ')}`);
      } else {
        fail(field, `{{${path}}}: a template starts with trigger.record, trigger.event or steps.<id>.output`);
      }
    }
  };

  const customerOf = (step: { customerId?: unknown }, stepAt: string) => {
    if (step.customerId === undefined && object !== 'Customer' && !declared?.fields.has('customerId')) {
      fail(`${stepAt}.customerId`, 'say which customer ({{trigger.record.id}} is used when the trigger is on customers)');
    }
  };

  for (const { step, earlier, path } of plan.steps.values()) {
    const stepAt = `${at}.${path}`;
    checkPaths(step, earlier, stepAt);
    switch (step.kind) {
      case 'condition':
        if (!object) fail(`${stepAt}.if`, 'a condition tests the trigger’s record; this trigger has none');
        objects.parseFilter(object!, step.if, `${stepAt}.if`);
        break;
      case 'updateRecord': {
        if (!object || !updateCommandOf(object)) fail(`${stepAt}.kind`, `records of ${object ?? 'this trigger'} cannot be updated by a workflow`);
        for (const field of Object.keys(step.values)) {
          if (!declared!.fields.has(field) || ['id', 'createdAt', 'updatedAt'].includes(field)) fail(`${stepAt}.values.${field}`, `${object} has no field ${field} to set`);
        }
        break;
      }
      case 'addTag':
      case 'removeTag':
      case 'logActivity':
        customerOf(step, stepAt);
        break;
      case 'createTask':
        if (step.dueAt !== undefined && step.dueIn !== undefined) fail(`${stepAt}.dueIn`, 'give dueAt or dueIn, not both');
        break;
      case 'callAction': {
        const action = actions.find((a) => a.name === step.action);
        if (!action) fail(`${stepAt}.action`, `no enabled plugin declares ${step.action} (available: ${actions.map((a) => a.name).join(', ') || 'none'})`);
        for (const key of Object.keys(step.input)) {
          if (action!.inputKeys.length && !action!.inputKeys.includes(key)) fail(`${stepAt}.input.${key}`, `${step.action} takes ${action!.inputKeys.join(', ')}`);
        }
        break;
      }
      default:
        break;
    }
  }
  return { definition, plan, triggerKey: triggerKeyOf(definition) };
}
