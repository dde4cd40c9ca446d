// The workflow definition: a typed JSON document (trigger + steps), parsed with zod. Values in steps may hold
// templates (`{{trigger.record.ownerId}}`, `{{steps.s1.output.id}}`) whose paths are checked when the workflow is
// published (paths.ts); the shape itself is checked here.
import { z } from '@crm/plugin-sdk';

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

/** A filter in the list filter language of the trigger's object (checked against the object model at publish). */
const filter = z.record(z.string(), z.json());

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
});

const eventTrigger = z.strictObject({
  kind: z.literal('event'),
  /** Any event type, core's or a plugin's: `deal.lost`, `survey.responded`, `loyalty.tier_changed`. */
  eventType: z.string().regex(/^[a-z][a-z0-9-]*\.[a-z][a-z0-9_]*$/, 'An event type, entity.action'),
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
  /** The object whose records it is run on (`runWorkflow`). */
  object: z.string(),
});

export const trigger = z.discriminatedUnion('kind', [recordTrigger, eventTrigger, scheduleTrigger, manualTrigger]);
export type Trigger = z.output<typeof trigger>;

const base = { id: identifier, name: z.string().max(200).optional() };

const valuesOf = z.record(z.string(), value);

export type Step =
  | { id: string; name?: string; kind: 'condition'; if: Record<string, unknown>; then: Step[]; else: Step[] }
  | { id: string; name?: string; kind: 'updateRecord'; values: Record<string, z.core.util.JSONType> }
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
  | { id: string; name?: string; kind: 'httpRequest'; url: string; body?: Record<string, z.core.util.JSONType> }
  | { id: string; name?: string; kind: 'sendEmail'; to: z.core.util.JSONType; subject: z.core.util.JSONType; text: z.core.util.JSONType }
  | { id: string; name?: string; kind: 'wait'; for?: Duration; until?: z.core.util.JSONType }
  | { id: string; name?: string; kind: 'callAction'; action: string; input: Record<string, z.core.util.JSONType> };

export const step: z.ZodType<Step> = z.lazy(() =>
  z.discriminatedUnion('kind', [
    z.strictObject({ ...base, kind: z.literal('condition'), if: filter, then: z.array(step).max(50).default([]), else: z.array(step).max(50).default([]) }),
    z.strictObject({ ...base, kind: z.literal('updateRecord'), values: valuesOf.refine((v) => Object.keys(v).length > 0, 'Name at least one field') }),
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
    z.strictObject({ ...base, kind: z.literal('httpRequest'), url: z.string().url().max(2000), body: valuesOf.optional() }),
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
