/**
 * Domain events, named `entity.action`. A payload's `customerId` (or a Customer subject) files the event in that
 * customer's history (`Customer.history`). Every command records its events in the same transaction as its change
 * (the outbox); the gateway publishes them after commit. Plugins add their own events by declaration merging:
 *
 * ```ts
 * declare module '@crm/core' {
 *   interface CrmEventMap { 'loyalty.tier_changed': { accountId: string; from: string; to: string } }
 * }
 * ```
 */
import type { FieldChanges } from './field-changes.js';
import type { TrashEventMap } from './services/trash/trash-events.js';

// biome-ignore lint: an interface so plugins can merge into it
export interface CrmEventMap extends TrashEventMap {
  'customer.created': { name: string; lifecycleStage: string };
  /**
   * A workspace's custom field was defined, renamed, archived, restored or deleted (subject: the CustomField): every
   * gateway instance rebuilds that workspace's schema (docs/custom-fields.md).
   */
  'metadata.changed': { object: string; field: string; change: string };
  /** `changes` holds each changed field's old and new value (`{ name: { from, to } }`). */
  'customer.updated': FieldChanges;
  /** Duplicates merged into the subject (`mergeCustomers`); `moved` counts the rows that moved, per kind. */
  'customer.merged': { mergedIds: string[]; moved: Record<string, number> } & FieldChanges;
  /** A person's data was exported (`exportPersonalData`): who asked is the event's actor. */
  'customer.personal_data_exported': Record<string, never>;
  /** A person was erased (`erasePerson`): counts of what went, nothing personal. */
  'customer.erased': { removed: Record<string, number> };
  'customer.stage_changed': { from: string | null; to: string; reason: string | null };
  'lead.converted': { from: string; dealId: string | null };
  'company.created': { name: string };
  'company.updated': FieldChanges;
  /** Duplicates merged into the subject (`mergeCompanies`); `changes` are the survivor's fields taken from them. */
  'company.merged': { mergedIds: string[]; moved: Record<string, number> } & FieldChanges;
  'deal.created': { customerId: string; title: string; amount: string; stageId: string };
  'deal.updated': { customerId: string } & FieldChanges;
  /** With the move's field changes (`stageId`, `stageChangedAt`, `status`, `closedAt`, `lostReason`): a move is the deal's update. */
  'deal.stage_changed': { customerId: string; fromStageId: string; toStageId: string } & FieldChanges;
  'deal.won': { customerId: string; amount: string };
  'deal.lost': { customerId: string; amount: string; reason: string | null };
  'activity.logged': { customerId: string; type: string; channel: string; subject: string; body: string | null };
  'task.created': { title: string };
  'task.updated': FieldChanges;
  /** `completeTask`'s carries the completion's field changes (`status`, `completedAt`); `updateTask`'s none (its `task.updated` does). */
  'task.completed': { title: string } & Partial<FieldChanges>;
  'ticket.opened': { customerId: string; subject: string; priority: string };
  'ticket.updated': { customerId: string } & FieldChanges;
  'ticket.closed': { customerId: string; satisfactionRating: number | null };
  'product.created': { sku: string };
  'product.updated': FieldChanges;
  'order.recorded': {
    customerId: string;
    total: string;
    orderedAt: string;
    skus: string[];
    /** Each line as priced (unitPrice from the input or the catalog), for loyalty and cross-sell consumers. */
    lines: { sku: string; quantity: number; unitPrice: string }[];
  };
  /** One per batch of an order import (not one `order.recorded` per order of a historical backfill). */
  'orders.imported': {
    importId: string;
    batch: number;
    orders: number;
    customersCreated: number;
    skipped: number;
    total: string;
    firstOrderedAt: string | null;
    lastOrderedAt: string | null;
  };
  /** A lifetime-value model was fitted and the customers' scores were rewritten. */
  'clv.model_fitted': {
    calibrationEnd: string;
    customers: number;
    r: number;
    alpha: number;
    a: number;
    b: number;
    p: number | null;
    q: number | null;
    gamma: number | null;
    logLikelihood: number;
  };
  'segment.created': { name: string };
  'segment.updated': { changed: string[] };
  'segment.deleted': { name: string };
  /** A customer now matches a saved segment (subject: the customer). */
  'segment.entered': { segmentId: string; segment: string };
  /** A customer no longer matches a saved segment (subject: the customer). */
  'segment.left': { segmentId: string; segment: string };
  'campaign.created': { name: string };
  'campaign.response_recorded': { campaignId: string; customerId: string; kind: string };
  'survey.responded': { customerId: string; kind: string; score: number };
  'pipeline.created': { name: string };
  'pipeline.updated': { changed: string[] };
  'stage.updated': { pipelineId: string; changed: string[] };
  'user.created': { name: string; email: string };
  'user.updated': { changed: string[] };
  'apikey.created': { name: string; role: string };
  'role.created': { name: string };
  'role.updated': { changed: string[] };
  'role.deleted': { name: string };
  'apikey.updated': { changed: string[] };
  'apikey.revoked': { name: string };
  // Webhooks carry the target's host only: a URL's path can hold a token, and every key sees events.
  'webhook.created': { host: string; eventTypes: string[] };
  'webhook.updated': { changed: string[] };
  'webhook.deleted': { host: string };
  'webhook.disabled': { reason: string; consecutiveFailures: number };
}

export type CrmEventType = keyof CrmEventMap & string;

/** The kinds of rows an event can be about (its `subject`); plugins use their own model names. */
export type SubjectType = string;

export interface PendingEvent<K extends CrmEventType = CrmEventType> {
  type: K;
  subjectType: SubjectType;
  subjectId: string;
  payload: CrmEventMap[K];
  /** Who caused it, when not the transaction's session (`CommandScope.actingAs`). */
  actor?: string;
  /** The chain it is part of, when emitted while handling another event (`CommandScope.causedBy`). */
  cause?: EventCause;
}

/**
 * The causal chain of an event that a plugin subscriber emitted while handling another, or a queue item queued while
 * handling one (stamped by the plugin host): `causedBy` is the actor of the event that began the chain (a person, a
 * job, a workflow's step), `chainDepth` the number of hops (subscribers, queue items) since it. An event that begins a
 * chain has none (`causedBy` null, `chainDepth` 0).
 */
export interface EventCause {
  causedBy: string;
  chainDepth: number;
}

/**
 * The cause that the events emitted while handling `event` carry: its own chain one hop further, or one its actor
 * begins. The depth counts on from the event's own (an event without `causedBy` is at depth 0 as written by the core,
 * but a depth it carries is never restarted: a loop stays as deep as it got).
 */
export function causeOf(event: { actor: string; causedBy?: string | null; chainDepth?: number | null }): EventCause {
  return { causedBy: event.causedBy || event.actor, chainDepth: (event.chainDepth ?? 0) + 1 };
}

/** An event as stored: `seq` is its position in the workspace's log (commit order). */
export interface RecordedEvent {
  id: string;
  workspaceId: string;
  seq: bigint;
  type: string;
  subjectType: string;
  subjectId: string;
  actor: string;
  /** The actor that began the chain this event is part of; null (or absent) when it began one ({@link EventCause}). */
  causedBy?: string | null;
  /** Subscriber hops since the chain began; 0 (or absent) when it began one. */
  chainDepth?: number;
  payload: unknown;
  occurredAt: Date;
}
