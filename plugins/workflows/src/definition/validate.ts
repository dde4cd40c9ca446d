// Publishing checks a definition completely, so that a published version can only fail on data, never on its own
// shape: the document (zod), the trigger against the object model (objects, fields, the filter language), each step's
// references (fields, actions, the customer it acts on) and every template path (typed: the trigger's record fields
// and to-one relations, the event, the outputs of steps that surely ran before). Errors are BAD_USER_INPUT with
// `extensions.field` naming the path in the input (`definition.steps.1.title`).
import { type ActionInfo, CrmError, type EventCatalog, type GraphContext, outboundUrlProblem, type RecordAccess, recordEventObject } from '@crm/plugin-sdk';
import { Cron } from 'croner';
import { definition as documentSchema, durationMs, type Step, type WorkflowDefinition } from './document.js';
import { commandWrites } from '../steps/command-writes.js';
import { checkActionInput } from './action-input-checks.js';
import { checkPlainRecordValues, checkPlainValues } from './plain-values.js';
import { planOf, type Plan } from './plan.js';
import { loopableKinds } from './step-outputs.js';
import { triggerPayloadSources } from './event-payloads.js';
import { fail, templateChecks } from './template-checks.js';
import { templatePaths, wholeTemplate } from './templates.js';
import { triggerValue } from './trigger-values.js';
import { isValueCondition, valueCondition } from './value-condition.js';
import { idOf } from './value-types.js';
import { updateRecordTarget } from './update-record-target.js';

export interface CheckedDefinition {
  definition: WorkflowDefinition;
  plan: Plan;
  /** What the trigger listens to: `record:Customer`, `event:deal.lost`, `schedule`, `manual:Customer`, `date:Deal.expectedCloseAt`. */
  triggerKey: string;
}

/** A key's permissions (`context.permissions`): what its role may write. */
type Permissions = NonNullable<GraphContext['permissions']>;

export interface DefinitionServices {
  objects: RecordAccess;
  actions: readonly ActionInfo[];
  /** The event types the host knows (event triggers and waits are checked against them, with their subject). */
  events?: EventCatalog;
  /** The publishing key's permissions: steps write as its role, so publishing refuses what it cannot write. */
  permissions?: Permissions | null;
}

const DATE_KINDS = new Set(['date', 'datetime']);

/** The object whose records the trigger hands to the steps (null: schedules, events without one). */
export function triggerObject(definition: WorkflowDefinition): string | null {
  const t = definition.trigger;
  return t.kind === 'schedule' || t.kind === 'webhook' ? null : (t.object ?? null);
}

/** The trigger's condition on its record (record, event and date triggers), if any. */
export function triggerCondition(definition: WorkflowDefinition): Record<string, unknown> | undefined {
  const t = definition.trigger;
  return t.kind === 'record' || t.kind === 'event' || t.kind === 'date' ? t.condition : undefined;
}

/**
 * What the trigger asks of its record, as a filter: its condition and, for a date trigger, its date set (a record
 * without the date is never reached by the scan). Runs by hand and the dry run test a record by this one rule.
 */
export function triggerRecordFilter(definition: WorkflowDefinition): Record<string, unknown> | undefined {
  const t = definition.trigger;
  const condition = triggerCondition(definition);
  if (t.kind !== 'date') return condition;
  const dated = { [t.field]: { isNull: false } };
  return condition ? { and: [dated, condition] } : dated;
}

/** Whether the trigger's record is read in the trash (a `deleted` trigger): its condition, and condition and switch steps. */
export function readsTrash(definition: WorkflowDefinition): boolean {
  return definition.trigger.kind === 'record' && definition.trigger.on === 'deleted';
}

export function triggerKeyOf(definition: WorkflowDefinition): string {
  const t = definition.trigger;
  if (t.kind === 'record') return `record:${t.object}`;
  if (t.kind === 'event') return `event:${t.eventType}`;
  if (t.kind === 'manual') return `manual:${t.object}`;
  if (t.kind === 'date') return `date:${t.object}.${t.field}`;
  if (t.kind === 'webhook') return 'webhook';
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

/**
 * The object model a draft is checked (and dry-run) against: the workspace's own, its custom fields and objects added
 * to the declared objects (core's and the enabled plugins').
 */
export function definitionObjects(objects: RecordAccess, db: object, workspaceId: string): Promise<RecordAccess> {
  return objects.inWorkspace(db, workspaceId);
}

/**
 * Whether a definition (valid with the workspace's definitions) needs them: it names a custom field or object, so its
 * runs read the workspace's definitions too (two statements where they are used). Decided once, when it is published,
 * by the same check against the declared objects alone — with the events catalog publishing checked against: without
 * it an event's subject is unknown and a read of a custom field's change (`changes.plan`) would pass unchecked.
 */
export function usesWorkspaceModel(definition: WorkflowDefinition, declared: RecordAccess, actions: readonly ActionInfo[], events: EventCatalog | undefined): boolean {
  try {
    checkDefinition(definition, { objects: declared, actions, events });
    return false;
  } catch {
    return true;
  }
}

/**
 * FORBIDDEN naming `field` unless the publishing key's role (its scopes included) may `action` records of `object`:
 * its grant and, for a plugin object, the writer's plugin permission (the SDK's `requireWriteAction`, core's decision).
 */
function requireAction(objects: RecordAccess, permissions: Permissions | null | undefined, object: string, action: 'create' | 'update', field: string) {
  if (permissions) objects.requireWriteAction(object, action, field, permissions);
}

/** FORBIDDEN naming the step's key unless the role writes each field a command step sets (`createTask`, `addTag`, …). */
function requireCommandWrite(objects: RecordAccess, permissions: Permissions | null | undefined, step: Step, stepAt: string) {
  const write = commandWrites[step.kind];
  if (!permissions || !write || !objects.catalog.has(write.object)) return;
  requireAction(objects, permissions, write.object, write.action, `${stepAt}.kind`);
  const target = objects.catalog.get(write.object);
  for (const name of write.fields(step)) {
    const field = target.fields.get(name);
    const key = write.keyOf?.(name) ?? (name === 'dueAt' && 'dueIn' in step ? 'dueIn' : name);
    if (field && !permissions.canWriteField(field)) throw new CrmError('FORBIDDEN', `${stepAt}.${key}: the role cannot write ${target.name}.${name}`, `${stepAt}.${key}`);
  }
}

function validTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return true;
  } catch {
    return false;
  }
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
    // Stored in the events' form: a global id as the row id, money "5000.00", an instant in ISO-8601 (trigger-values.ts).
    if (t.from !== undefined) t.from = triggerValue(objects, object!, t.fields![0]!, t.from, `${at}.trigger.from`) as typeof t.from;
    if (t.to !== undefined) t.to = triggerValue(objects, object!, t.fields![0]!, t.to, `${at}.trigger.to`) as typeof t.to;
    if (t.onlyWhenConditionBecomesTrue && (t.on !== 'updated' || !t.condition)) {
      fail(`${at}.trigger.onlyWhenConditionBecomesTrue`, 'applies to `updated` triggers with a condition (the record matches it after the change, not before)');
    }
  }
  if (t.kind === 'date') {
    const field = declared!.fields.get(t.field);
    // A column of its own (system-kept ones too: `stageChangedAt`) or a custom field of the workspace (in its JSON).
    if (!field || !DATE_KINDS.has(field.kind)) {
      const dates = [...declared!.fields.values()].filter((f) => DATE_KINDS.has(f.kind)).map((f) => f.name);
      fail(`${at}.trigger.field`, `${object} has no date field ${t.field} (its date fields: ${dates.join(', ') || 'none'})`);
    }
    if (t.before && t.after) fail(`${at}.trigger.after`, 'give before or after, not both');
    const offset = t.before ?? t.after;
    const wholeDays = t.at !== undefined || field!.kind === 'date';
    if (wholeDays && offset && (offset.hours || offset.minutes || offset.seconds)) {
      fail(`${at}.trigger.${t.before ? 'before' : 'after'}`, t.at ? 'with `at`, count whole days' : `${t.field} is a date: count whole days (and give \`at\` for a time of day)`);
    }
  }
  // Event types: declared ones (core's, the plugins'), or a custom object's record events; the subject fits `object`.
  const eventSubject = (type: string, field: string): string | null => {
    if (!services.events) return null;
    const known = services.events.get(type);
    const custom = known ? null : recordEventObject(type, objects.catalog.objects);
    if (!known && !custom) {
      const [entity] = type.split('.');
      const near = [...services.events.keys()].filter((k) => k.startsWith(`${entity}.`));
      fail(field, `no event ${type} is declared${near.length ? ` (${entity}'s events: ${near.join(', ')})` : ' by the core or an installed plugin'}`);
    }
    return known ? known.subject : custom;
  };
  /** The object the trigger's event is about, when known (a `subjectId` of that object). */
  let triggerSubject: string | null = t.kind === 'record' ? t.object : null;
  if (t.kind === 'event') {
    triggerSubject = eventSubject(t.eventType, `${at}.trigger.eventType`);
    // Its runs would either restart the chain the limit cut at depth 0 (and a chain that reaches the limit again sets
    // it off again: a loop) or, carrying the depth, never run (past the limit by definition). ADMINs watch the event.
    if (t.eventType === 'workflow.depth_limit_reached') fail(`${at}.trigger.eventType`, 'workflow.depth_limit_reached cannot start a workflow (it reports a chain cut for looping too deep): read it with events or a webhook');
    if (t.object !== undefined && triggerSubject !== null && t.object !== triggerSubject) {
      fail(`${at}.trigger.object`, `${t.eventType} is about a ${triggerSubject}, not a ${t.object}`);
    }
  }
  if ((t.kind === 'date' || t.kind === 'schedule') && !validTimeZone(t.timeZone)) fail(`${at}.trigger.timeZone`, `not a time zone: ${t.timeZone}`);
  if ((t.kind === 'record' || t.kind === 'event' || t.kind === 'date') && t.condition) {
    if (!object) fail(`${at}.trigger.condition`, 'a condition needs the trigger’s `object`');
    objects.parseFilter(object!, t.condition, `${at}.trigger.condition`);
  }
  if (t.kind === 'schedule') {
    let next: Date | null = null;
    try {
      next = new Cron(t.cron, { timezone: t.timeZone, paused: true }).nextRun();
    } catch (error) {
      fail(`${at}.trigger.cron`, error instanceof Error ? error.message : 'not a cron expression');
    }
    // `0 0 30 2 *` parses but names no date that comes: it would publish with no next firing, silently.
    if (!next) fail(`${at}.trigger.cron`, `${t.cron} never fires (no date to come matches it)`);
  }

  const triggerPayloads = triggerPayloadSources(services.events, t);
  const { checkPaths, checkPath, typeOfPath, checkTyped, checkValueTypes, checkEventCondition, checkValueCondition } = templateChecks({
    trigger: t, objects, actions, object, declared, triggerSubject, triggerPayloads, events: services.events, eventSubject, plan,
  });

  /**
   * A condition's `if`, a switch case's `when`: a value condition (one typed template, an operator that fits its type:
   * value-condition.ts), or a filter of the trigger's record.
   */
  const checkBranchTest = (test: Record<string, unknown>, testAt: string, earlier: readonly string[], inLoop: boolean) => {
    if (!isValueCondition(test)) {
      if (!object) fail(testAt, 'a filter tests the trigger’s record, and this trigger has none: test a value instead ({ value: "{{…}}", operator, operand })');
      objects.parseFilter(object!, test, testAt);
      return;
    }
    const parsed = valueCondition.safeParse(test);
    if (!parsed.success) fail([testAt, ...parsed.error.issues[0]!.path.map(String)].join('.'), parsed.error.issues[0]!.message);
    const condition = parsed.data!;
    const path = wholeTemplate(condition.value);
    if (path === null) fail(`${testAt}.value`, 'exactly one template, the value tested ({{trigger.event.payload.plan}}, {{steps.h.output.status}})');
    checkPath(path!, `${testAt}.value`, earlier, inLoop);
    checkValueCondition(condition, testAt, path!);
  };

  const customerOf = (step: { customerId?: unknown }, stepAt: string) => {
    if (step.customerId === undefined && object !== 'Customer' && !declared?.fields.has('customerId')) {
      fail(`${stepAt}.customerId`, 'say which customer ({{trigger.record.id}} is used when the trigger is on customers)');
    }
  };

  // Only what the object's writer takes, and (steps write as the publishing key's role) what that role may write.
  const settable = (target: NonNullable<typeof declared>, action: 'create' | 'update', stepAt: string, values: Record<string, unknown>) => {
    for (const field of Object.keys(values)) objects.writableField(target.name, field, action, `${stepAt}.values.${field}`, services.permissions);
  };

  for (const { step, earlier, path, inLoop } of plan.steps.values()) {
    const stepAt = `${at}.${path}`;
    checkPaths(step, earlier, stepAt, inLoop);
    checkPlainValues(step, stepAt);
    // Checked at publish (not in the schema, which stored versions are parsed with again).
    if (step.retry && step.retry.attempts === undefined && step.retry.backoff === undefined) fail(`${stepAt}.retry`, 'say attempts, backoff or both (or leave retry out)');
    if (step.retry?.backoff && durationMs(step.retry.backoff) < 1000) fail(`${stepAt}.retry.backoff`, 'at least a second');
    switch (step.kind) {
      case 'condition':
        checkBranchTest(step.if, `${stepAt}.if`, earlier, inLoop);
        break;
      case 'switch': {
        const names = new Set<string>();
        step.cases.forEach((c, i) => {
          if (names.has(c.name) || c.name === 'default') fail(`${stepAt}.cases.${i}.name`, `case names are unique and not "default"`);
          names.add(c.name);
          checkBranchTest(c.when, `${stepAt}.cases.${i}.when`, earlier, inLoop);
        });
        break;
      }
      case 'forEach':
        if (!loopableKinds.has(step.do.kind)) fail(`${stepAt}.do.kind`, `a loop does one of ${[...loopableKinds].join(', ')} per item`);
        // Its items are done in the loop's one transaction: the loop's own `retry` is what tries them again.
        if (step.do.retry) fail(`${stepAt}.do.retry`, 'a loop\'s items are tried again with the loop: put retry on the forEach step');
        break;
      case 'waitForEvent': {
        // The wait is resumed by an event about the record `subjectId` names (by default the run's record): it must be
        // a record of the kind the event is about, or the event never comes.
        const subject = eventSubject(step.eventType, `${stepAt}.eventType`);
        if (step.subjectId === undefined) {
          if (!object) fail(`${stepAt}.subjectId`, 'say which record the event is about (the trigger has no record)');
          if (subject !== null && subject !== object) {
            fail(`${stepAt}.subjectId`, `${step.eventType} is about a ${subject}, not the run's ${object}: say which ${subject} (a ${subject} id)`);
          }
        } else if (subject !== null) {
          checkTyped(step.subjectId, idOf(subject), `${stepAt}.subjectId`);
        }
        if (step.where) checkEventCondition(step, `${stepAt}.where`);
        break;
      }
      case 'updateRecord': {
        const target = updateRecordTarget({ objects, object, declared, typeOfPath }, step, stepAt);
        const at = `${stepAt}.${step.record !== undefined ? 'record' : step.relation ? 'relation' : 'kind'}`;
        if (!objects.writable(target.name, 'update')) fail(at, `records of ${target.name} cannot be updated by a workflow`);
        requireAction(objects, services.permissions, target.name, 'update', at);
        settable(target, 'update', stepAt, step.values);
        checkValueTypes(target, step.values, stepAt);
        checkPlainRecordValues(objects, target, 'update', step.values, stepAt);
        break;
      }
      case 'createRecord': {
        if (!objects.writable(step.object, 'create')) {
          const creatable = [...objects.catalog.objects].filter((o) => objects.writable(o.name, 'create')).map((o) => o.name);
          fail(`${stepAt}.object`, `records of ${step.object} cannot be created by a workflow (these can: ${creatable.join(', ')})`);
        }
        const target = objects.catalog.get(step.object);
        requireAction(objects, services.permissions, target.name, 'create', `${stepAt}.object`);
        settable(target, 'create', stepAt, step.values);
        checkValueTypes(target, step.values, stepAt);
        checkPlainRecordValues(objects, target, 'create', step.values, stepAt);
        break;
      }
      case 'addTag':
      case 'removeTag':
      case 'addToSegment':
      case 'removeFromSegment':
      case 'logActivity':
      case 'createDeal':
        customerOf(step, stepAt);
        requireCommandWrite(objects, services.permissions, step, stepAt);
        break;
      case 'httpRequest': {
        // A URL the SDK's sender could never send (a scheme other than http/https, credentials, no host): refused now,
        // not failed at run time. Templates in it are filled in when the step runs, where the sender checks the whole
        // URL and the addresses its name resolves to against the operator's policy (private targets, DNS).
        const problem = outboundUrlProblem(step.url);
        if (problem) fail(`${stepAt}.url`, problem);
        break;
      }
      case 'createTask':
        if (step.dueAt !== undefined && step.dueIn !== undefined) fail(`${stepAt}.dueIn`, 'give dueAt or dueIn, not both');
        requireCommandWrite(objects, services.permissions, step, stepAt);
        break;
      case 'callAction': {
        const action = actions.find((a) => a.name === step.action);
        if (!action) fail(`${stepAt}.action`, `no enabled plugin declares ${step.action} (available: ${actions.map((a) => a.name).join(', ') || 'none'})`);
        checkActionInput(objects, checkTyped, action!, step.input, `${stepAt}.input`);
        // The action runs as the publishing key's role: it must hold the plugin permission the action declares.
        const needed = action!.permission;
        if (needed && services.permissions && !services.permissions.holdsPluginPermission(action!.plugin, needed.name, needed.roles)) {
          throw new CrmError('FORBIDDEN', `${stepAt}.action: ${step.action} needs the ${action!.plugin} permission "${needed.name}", which the role does not hold`, `${stepAt}.action`);
        }
        break;
      }
      default:
        break;
    }
  }
  return { definition, plan, triggerKey: triggerKeyOf(definition) };
}
