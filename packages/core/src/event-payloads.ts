// The shape of each core event's payload at runtime, for code that reads payloads ahead of time (a workflow's
// `{{trigger.event.payload.amount}}`, checked at publish through the SDK's event catalog). `CrmEventMap` (events.ts)
// stays the one list of types: the check at the end of this file makes each shape's type the same as its event's in
// both directions (a shape with a key the type lacks, or lacking one it has, or of another type, does not compile).
// Not run on core's emits (TypeScript holds them); kinds beyond the type's (a uuid, money, an ISO instant) say what the
// value is for typed reads: money is "12.50", as fields' money is in events, a number to a typed read.
import { z } from 'zod';
import type { CrmEventMap } from './events.js';
import { MONEY_PATTERN } from './money.js';
import { type TrashEventMap, type TrashEventPayload, trashObjectNames } from './services/trash/trash-events.js';

type ListedCoreEvent = Exclude<keyof CrmEventMap, keyof TrashEventMap>;

/** A row id (uuid). */
const rowId = z.uuid();
/** Money as events carry it: a decimal string ("5000.00"); its format `money` reads as a number (SDK's kinds). */
export const eventMoney = z.stringFormat('money', MONEY_PATTERN);
const money = eventMoney;
/** An instant in ISO 8601 (`toISOString()`). */
const instant = z.iso.datetime({ offset: true });
const names = z.array(z.string());

/** `FieldChanges` (field-changes.ts): the names changed and each one's old and new value, of any type. */
const fieldChanges = z.object({ changed: names, changes: z.record(z.string(), z.object({ from: z.unknown(), to: z.unknown() })) });
const merged = fieldChanges.extend({ mergedIds: z.array(rowId), moved: z.record(z.string(), z.number()) });
const named = z.object({ name: z.string() });
const changedOnly = z.object({ changed: names });
const segmentMembership = z.object({ segmentId: rowId, segment: z.string() });

const listed = {
  'customer.created': z.object({ name: z.string(), lifecycleStage: z.string() }),
  'metadata.changed': z.object({ object: z.string(), field: z.string(), change: z.string() }),
  'customer.updated': fieldChanges,
  'customer.merged': merged,
  'customer.personal_data_exported': z.object({}),
  'customer.erased': z.object({ removed: z.record(z.string(), z.number()) }),
  'customer.stage_changed': z.object({ from: z.string().nullable(), to: z.string(), reason: z.string().nullable() }),
  'lead.converted': z.object({ from: z.string(), dealId: rowId.nullable() }),
  'company.created': named,
  'company.updated': fieldChanges,
  'company.merged': merged,
  'deal.created': z.object({ customerId: rowId, title: z.string(), amount: money, stageId: rowId }),
  'deal.updated': fieldChanges.extend({ customerId: rowId }),
  'deal.stage_changed': fieldChanges.extend({ customerId: rowId, fromStageId: rowId, toStageId: rowId }),
  'deal.won': z.object({ customerId: rowId, amount: money }),
  'deal.lost': z.object({ customerId: rowId, amount: money, reason: z.string().nullable() }),
  'activity.logged': z.object({ customerId: rowId, type: z.string(), channel: z.string(), subject: z.string(), body: z.string().nullable() }),
  'task.created': z.object({ title: z.string() }),
  'task.updated': fieldChanges,
  'task.completed': fieldChanges.partial().extend({ title: z.string() }),
  'ticket.opened': z.object({ customerId: rowId, subject: z.string(), priority: z.string() }),
  'ticket.updated': fieldChanges.extend({ customerId: rowId }),
  'ticket.closed': z.object({ customerId: rowId, satisfactionRating: z.number().nullable() }),
  'product.created': z.object({ sku: z.string() }),
  'product.updated': fieldChanges,
  'order.recorded': z.object({
    customerId: rowId,
    total: money,
    orderedAt: instant,
    skus: names,
    lines: z.array(z.object({ sku: z.string(), quantity: z.number(), unitPrice: money })),
  }),
  'orders.imported': z.object({
    importId: rowId,
    batch: z.number(),
    orders: z.number(),
    customersCreated: z.number(),
    skipped: z.number(),
    total: money,
    firstOrderedAt: instant.nullable(),
    lastOrderedAt: instant.nullable(),
  }),
  'clv.model_fitted': z.object({
    calibrationEnd: z.string(),
    customers: z.number(),
    r: z.number(),
    alpha: z.number(),
    a: z.number(),
    b: z.number(),
    p: z.number().nullable(),
    q: z.number().nullable(),
    gamma: z.number().nullable(),
    logLikelihood: z.number(),
  }),
  'segment.created': named,
  'segment.updated': changedOnly,
  'segment.deleted': named,
  'segment.entered': segmentMembership,
  'segment.left': segmentMembership,
  'campaign.created': named,
  'campaign.response_recorded': z.object({ campaignId: rowId, customerId: rowId, kind: z.string() }),
  'survey.responded': z.object({ customerId: rowId, kind: z.string(), score: z.number() }),
  'pipeline.created': named,
  'pipeline.updated': changedOnly,
  'stage.updated': z.object({ pipelineId: rowId, changed: names }),
  'user.created': z.object({ name: z.string(), email: z.string() }),
  'user.updated': changedOnly,
  'apikey.created': z.object({ name: z.string(), role: z.string() }),
  'role.created': named,
  'role.updated': changedOnly,
  'role.deleted': named,
  'apikey.updated': changedOnly,
  'apikey.revoked': named,
  'webhook.created': z.object({ host: z.string(), eventTypes: names }),
  'webhook.updated': changedOnly,
  'webhook.deleted': z.object({ host: z.string() }),
  'webhook.disabled': z.object({ reason: z.string(), consecutiveFailures: z.number() }),
} satisfies { [K in ListedCoreEvent]: z.ZodObject };

/** Payload of `X.trashed|restored|destroyed` (`TrashEventPayload`). */
const trashPayload = z.object({ reason: z.string().nullable(), customerId: rowId.optional(), withRelated: z.number() });

/** Every core event type → its payload's shape. */
export const coreEventPayloads: ReadonlyMap<string, z.ZodObject> = new Map<string, z.ZodObject>([
  ...Object.entries(listed),
  ...trashObjectNames.flatMap((object) => (['trashed', 'restored', 'destroyed'] as const).map((action): [string, z.ZodObject] => [`${object}.${action}`, trashPayload])),
]);

// The check: each shape's type and its event's type are assignable to each other. The line below does not compile
// unless no event's shape says otherwise than `CrmEventMap` (the error names those that do).
/** Whether `A` and `B` are each assignable to the other. */
export type SameType<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** The events among `Shapes` whose shape's type is not their type in `Types`. */
export type DriftedPayloads<Shapes, Types> = {
  [K in keyof Shapes & keyof Types]: Shapes[K] extends z.ZodType ? (SameType<z.output<Shapes[K]>, Types[K]> extends true ? never : K) : K;
}[keyof Shapes & keyof Types];
const drifted: { [K in DriftedPayloads<typeof listed, CrmEventMap>]: 'its shape and its CrmEventMap type differ' } = {};
const trashHolds: SameType<z.output<typeof trashPayload>, TrashEventPayload> = true;
void drifted;
void trashHolds;
