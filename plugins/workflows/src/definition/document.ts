// The workflow definition: a typed JSON document (trigger + steps), parsed with zod. Values in steps may hold
// templates (`{{trigger.record.ownerId}}`, `{{steps.s1.output.id}}`) whose paths are checked when the workflow is
// published (paths.ts); the shape itself is checked here.
import { HEADER_VALUE, OUTBOUND_RESERVED_HEADERS, z } from '@crm/plugin-sdk';
import { type ValueCondition, valueCondition } from './value-condition.js';

/** A `forEach` does at most this many items. */
export const MAX_LOOP_ITEMS = 100;
/** An `updateRecord` of a to-many relation changes at most this many records (its `max`, and its default). */
export const MAX_RELATED_UPDATES = 100;

const identifier = z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]{0,39}$/, 'An identifier: a letter, then letters, digits or _ (at most 40)');

/** A value in a step: JSON, where strings may hold `{{path}}` templates. */
export const value = z.json();

/** A span of time; every part optional, at least one given. */
export const duration = z
  .strictObject({
    days: z.number().int().min(0).max(3650).optional(),
    hours: z.number().int().min(0).max(87_600).optional(),
    minutes: z.number().int().min(0).max(5_256_000).optional(),
    seconds: z.number().int().min(0).max(315_360_000).optional(),
  })
  .refine((d) => Object.values(d).some((n) => n !== undefined), 'Give days, hours, minutes or seconds');
export type Duration = z.output<typeof duration>;

export const durationMs = (d: Duration) => (((d.days ?? 0) * 24 + (d.hours ?? 0)) * 60 + (d.minutes ?? 0)) * 60_000 + (d.seconds ?? 0) * 1000;

/**
 * A filter in the list filter language of the trigger's object (checked against the object model at publish). A
 * condition's `if` and a switch case's `when` may instead be a value condition (value-condition.ts).
 */
const filter = z.record(z.string(), z.json());
/**
 * An event type, `entity.action`: the entity kebab-case (plugins' `gift-card.trashed`) or camel-case (a custom object's
 * record events, `supportContract.created`).
 */
const eventType = z.string().regex(/^[a-z][a-zA-Z0-9-]*\.[a-z][a-z0-9_]*$/, 'An event type, entity.action');

const recordTrigger = z.strictObject({
  kind: z.literal('record'),
  /** A declared object: `Customer`, `Deal`, `SurveyResponse`, a plugin's object. */
  object: z.string(),
  on: z.enum(['created', 'updated', 'deleted']),
  /** `updated` only: fire only when one of these fields changed. */
  fields: z.array(z.string()).min(1).max(50).optional(),
  /** `updated` with one field: fire only when it changed from this value … */
  from: z.json().optional(),
  /** … and/or to this value. */
  to: z.json().optional(),
  /** The record must match this filter (evaluated when the event arrives). */
  condition: filter.optional(),
  /**
   * `updated` with a condition: fire only when the record starts to match it — it matches after the change and did not
   * before (its fields as the change's `from` values) — not on every change of a record that matches.
   */
  onlyWhenConditionBecomesTrue: z.boolean().optional(),
});

const eventTrigger = z.strictObject({
  kind: z.literal('event'),
  /** Any event type, core's or a plugin's: `deal.lost`, `survey.responded`, `loyalty.tier_changed`. */
  eventType,
  /** The declared object the event is about, to use its record (`trigger.record`) and a condition on it. */
  object: z.string().optional(),
  condition: filter.optional(),
});

const scheduleTrigger = z.strictObject({
  kind: z.literal('schedule'),
  /** Five or six fields (`0 9 * * 1-5`: weekdays at 9). */
  cron: z.string().min(9).max(120),
  /** IANA time zone the cron is read in. */
  timeZone: z.string().default('UTC'),
});

const manualTrigger = z.strictObject({
  kind: z.literal('manual'),
  /** The object whose records it is run on (`runWorkflow`, `runWorkflowOnRecords`). */
  object: z.string(),
});

/** `HH:MM`, 24-hour. */
const timeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'A time of day, HH:MM (24-hour)');

const dateTrigger = z.strictObject({
  kind: z.literal('date'),
  /** A declared object with a date or datetime field: `Deal`, `Customer`, `Task`, a plugin's object. */
  object: z.string(),
  /** Its date field: `expectedCloseAt`, `dueAt`, … */
  field: z.string(),
  /** Fire this long before the date … */
  before: duration.optional(),
  /** … or this long after it (neither: on the date). */
  after: duration.optional(),
  /** At this time of day (in `timeZone`) on the day reached; then `before`/`after` count whole days. */
  at: timeOfDay.optional(),
  timeZone: z.string().default('UTC'),
  /** Only records matching this filter (evaluated when the point is reached). */
  condition: filter.optional(),
});

const webhookTrigger = z.strictObject({
  kind: z.literal('webhook'),
  /** Requests a minute the workflow's URL accepts; more are answered 429 with Retry-After. */
  ratePerMinute: z.number().int().min(1).max(6000).default(60),
});

export const trigger = z.discriminatedUnion('kind', [recordTrigger, eventTrigger, scheduleTrigger, manualTrigger, dateTrigger, webhookTrigger]);
export type DateTrigger = z.output<typeof dateTrigger>;
export type Trigger = z.output<typeof trigger>;

/** A step's own retry policy: overrides the workspace's `stepAttempts` and `retryBackoffMs` (settings.ts) for it. */
const stepRetry = z.strictObject({
  /** Tries in all (1: never tried again). */
  attempts: z.number().int().min(1).max(10).optional(),
  /** Wait before the second try; doubles at each further try. At most an hour. */
  backoff: duration.refine((d) => durationMs(d) <= 3_600_000, 'At most an hour').optional(),
});
export type StepRetry = z.output<typeof stepRetry>;

const base = { id: identifier, name: z.string().max(200).optional(), retry: stepRetry.optional() };

/** What an `httpRequest` step may send. */
export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];
/**
 * The depth in a chain of workflows that a run started by this request has: the sending run's plus one. A workflow's
 * webhook starts its run at it (triggers/webhook.ts), so workflows calling each other's (or their own) URLs are cut
 * by the depth limit like any chain. Not signed (the signature covers the body): it can only shorten a chain.
 */
export const WORKFLOW_DEPTH_HEADER = 'x-crm-workflow-depth';

/** Headers an `httpRequest` step sets itself (the signature, the idempotency key, the chain depth, its JSON body's) or the sender does: a step names none of them. */
export const RESERVED_HEADERS: ReadonlySet<string> = new Set(['x-crm-signature', 'idempotency-key', 'content-type', WORKFLOW_DEPTH_HEADER, ...OUTBOUND_RESERVED_HEADERS]);
/** A header value that is not {@link HEADER_VALUE} (the SDK's: what HTTP can carry). */
export const HEADER_VALUE_PROBLEM = 'A header value is one line of Latin-1 text (no control characters, nothing beyond U+00FF)';
const MAX_HEADERS = 20;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/;
/** An `httpRequest` step's own headers: values are one line of Latin-1 text (templates allowed, checked again once filled in). */
const httpHeaders = z.record(z.string(), z.string().max(2000).regex(HEADER_VALUE, HEADER_VALUE_PROBLEM)).superRefine((headers, context) => {
  const names = Object.keys(headers);
  if (names.length > MAX_HEADERS) context.addIssue({ code: 'custom', message: `At most ${MAX_HEADERS} headers` });
  for (const name of names) {
    if (!HEADER_NAME.test(name)) context.addIssue({ code: 'custom', message: `Not a header name: ${name}`, path: [name] });
    else if (RESERVED_HEADERS.has(name.toLowerCase())) context.addIssue({ code: 'custom', message: `${name} is set by the step itself (its signature, idempotency key, chain depth and JSON body)`, path: [name] });
  }
});

const valuesOf = z.record(z.string(), value);

type Json = z.core.util.JSONType;

export type Step = { retry?: StepRetry } & (
  | { id: string; name?: string; kind: 'condition'; if: Record<string, unknown>; then: Step[]; else: Step[] }
  | { id: string; name?: string; kind: 'switch'; cases: { name: string; when: Record<string, unknown>; steps: Step[] }[]; default: Step[] }
  | { id: string; name?: string; kind: 'forEach'; items: Json; max: number; do: Step }
  | { id: string; name?: string; kind: 'waitForEvent'; eventType: string; subjectId?: Json; where?: ValueCondition; timeout: Duration; onTimeout: Step[] }
  | {
      id: string;
      name?: string;
      kind: 'updateRecord';
      relation?: string;
      record?: Json;
      object?: string;
      where?: Record<string, Json>;
      max?: number;
      values: Record<string, z.core.util.JSONType>;
    }
  | { id: string; name?: string; kind: 'createRecord'; object: string; values: Record<string, Json> }
  | {
      id: string;
      name?: string;
      kind: 'createDeal';
      title: Json;
      customerId?: Json;
      amount?: Json;
      pipelineId?: Json;
      stageId?: Json;
      ownerId?: Json;
      expectedCloseAt?: Json;
    }
  | {
      id: string;
      name?: string;
      kind: 'createTask';
      title: z.core.util.JSONType;
      notes?: z.core.util.JSONType;
      dueAt?: z.core.util.JSONType;
      dueIn?: Duration;
      assigneeId?: z.core.util.JSONType;
      customerId?: z.core.util.JSONType;
      dealId?: z.core.util.JSONType;
    }
  | {
      id: string;
      name?: string;
      kind: 'logActivity';
      customerId?: z.core.util.JSONType;
      type: string;
      channel: string;
      subject: z.core.util.JSONType;
      body?: z.core.util.JSONType;
    }
  | { id: string; name?: string; kind: 'addTag' | 'removeTag'; tag: z.core.util.JSONType; customerId?: z.core.util.JSONType }
  | { id: string; name?: string; kind: 'addToSegment' | 'removeFromSegment'; segment: z.core.util.JSONType; customerId?: z.core.util.JSONType }
  | { id: string; name?: string; kind: 'httpRequest'; method: HttpMethod; url: string; headers?: Record<string, string>; body?: Record<string, z.core.util.JSONType> }
  | { id: string; name?: string; kind: 'sendEmail'; to: z.core.util.JSONType; subject: z.core.util.JSONType; text: z.core.util.JSONType }
  | { id: string; name?: string; kind: 'wait'; for?: Duration; until?: z.core.util.JSONType }
  | { id: string; name?: string; kind: 'callAction'; action: string; input: Record<string, z.core.util.JSONType> }
);

export const step: z.ZodType<Step> = z.lazy(() =>
  z.discriminatedUnion('kind', [
    z.strictObject({ ...base, kind: z.literal('condition'), if: filter, then: z.array(step).max(50).default([]), else: z.array(step).max(50).default([]) }),
    z.strictObject({
      ...base,
      kind: z.literal('switch'),
      cases: z
        .array(z.strictObject({ name: identifier, when: filter, steps: z.array(step).max(50).default([]) }))
        .min(1, 'A switch has at least one case')
        .max(20),
      default: z.array(step).max(50).default([]),
    }),
    z.strictObject({
      ...base,
      kind: z.literal('forEach'),
      /** A list: `{{trigger.record.tags}}`, `{{trigger.event.payload.lines}}`, `{{steps.x.output.<list>}}`. */
      items: value,
      /** More items than this fails the step (nothing is done for a list it cannot finish). */
      max: z.number().int().min(1).max(MAX_LOOP_ITEMS).default(MAX_LOOP_ITEMS),
      /** Done once per item, in one transaction, with `{{item}}` / `{{item.<key>}}` and `{{index}}`. */
      do: step,
    }),
    z.strictObject({
      ...base,
      kind: z.literal('waitForEvent'),
      eventType,
      /** The record the event must be about (default: the trigger's record), e.g. `{{steps.followUp.output.id}}`. */
      subjectId: value.optional(),
      /**
       * Only an event for which this holds ends the wait (`{ value: '{{event.payload.changes.status.to}}', operator:
       * 'eq', operand: 'DONE' }`): a value condition over the event waited for (`{{event.…}}`); others leave it waiting.
       */
      where: valueCondition.optional(),
      timeout: duration,
      /** Steps done when the timeout comes first (then the run goes on after the wait either way). */
      onTimeout: z.array(step).max(50).default([]),
    }),
    z.strictObject({
      ...base,
      kind: z.literal('updateRecord'),
      /**
       * A relation of the trigger's record: to-one (`customer` of a deal), update that record instead; to-many (`tasks`
       * of a customer), update each related record `where` matches (all without it), at most `max`.
       */
      relation: z.string().optional(),
      /** A to-many `relation` only: which related records, a filter of their object (the list filter language). */
      where: filter.optional(),
      /** A to-many `relation` only: more related records matching than this fails the step, nothing changed. */
      max: z.number().int().min(1).max(MAX_RELATED_UPDATES).optional(),
      /**
       * Or another record: its id, a template holding one (`{{steps.makeTask.output.id}}`, `{{trigger.record.dealId}}`)
       * or a literal row id. Its object is the id's type when publishing knows it, else `object` says it.
       */
      record: value.optional(),
      /** The object of `record` (publishing fills it in from the id's type when known; given, it must agree). */
      object: z.string().optional(),
      values: valuesOf.refine((v) => Object.keys(v).length > 0, 'Name at least one field'),
    }),
    z.strictObject({
      ...base,
      kind: z.literal('createRecord'),
      /** A declared object that can be created (a ticket, a plugin's object with a writer: `Competitor`). */
      object: z.string(),
      /** Its fields declared writable, as its create input takes them. */
      values: valuesOf,
    }),
    z.strictObject({
      ...base,
      kind: z.literal('createDeal'),
      title: value,
      customerId: value.optional(),
      amount: value.optional(),
      pipelineId: value.optional(),
      stageId: value.optional(),
      ownerId: value.optional(),
      expectedCloseAt: value.optional(),
    }),
    z.strictObject({
      ...base,
      kind: z.literal('createTask'),
      title: value,
      notes: value.optional(),
      dueAt: value.optional(),
      dueIn: duration.optional(),
      assigneeId: value.optional(),
      customerId: value.optional(),
      dealId: value.optional(),
    }),
    z.strictObject({ ...base, kind: z.literal('logActivity'), customerId: value.optional(), type: z.string(), channel: z.string(), subject: value, body: value.optional() }),
    z.strictObject({ ...base, kind: z.literal('addTag'), tag: value, customerId: value.optional() }),
    z.strictObject({ ...base, kind: z.literal('removeTag'), tag: value, customerId: value.optional() }),
    // A STATIC segment (its row id or global id, or a template holding one); the customer as the tag steps default it.
    z.strictObject({ ...base, kind: z.literal('addToSegment'), segment: value, customerId: value.optional() }),
    z.strictObject({ ...base, kind: z.literal('removeFromSegment'), segment: value, customerId: value.optional() }),
    z
      .strictObject({ ...base, kind: z.literal('httpRequest'), method: z.enum(HTTP_METHODS).default('POST'), url: z.string().url().max(2000), headers: httpHeaders.optional(), body: valuesOf.optional() })
      .refine((s) => s.method !== 'GET' || s.body === undefined, { message: 'A GET request has no body', path: ['body'] }),
    z.strictObject({ ...base, kind: z.literal('sendEmail'), to: value, subject: value, text: value }),
    z.strictObject({ ...base, kind: z.literal('wait'), for: duration.optional(), until: value.optional() }).refine((s) => (s.for === undefined) !== (s.until === undefined), {
      message: 'Give either `for` (a duration) or `until` (a date)',
      path: ['for'],
    }),
    z.strictObject({ ...base, kind: z.literal('callAction'), action: z.string().regex(/^[a-z][a-z0-9-]*\.[a-zA-Z]\w*$/, 'plugin.action'), input: valuesOf.default({}) }),
  ]),
) as z.ZodType<Step>;

export const definition = z.strictObject({
  trigger,
  steps: z.array(step).min(1, 'A workflow has at least one step').max(100),
  options: z
    .strictObject({
      /** Let the workflow's own changes trigger it again (a chain bounded by the depth limit). */
      allowSelfTrigger: z.boolean().default(false),
    })
    .default({ allowSelfTrigger: false }),
});
export type WorkflowDefinition = z.output<typeof definition>;
export type StepKind = Step['kind'];
