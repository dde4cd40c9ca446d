import { globalId } from '@crm/graph';
import type { ClaimedDelivery } from './delivery-queue.js';
import { SIGNATURE_HEADER, signatureHeader } from './signature.js';

/** What a receiver gets as the JSON body. `subject.id` is the entity's global id, as the GraphQL API shows it. */
export interface WebhookBody {
  id: string;
  type: string;
  occurredAt: string;
  workspaceId: string;
  actor: string;
  subject: { type: string; id: string };
  payload: unknown;
}

export function webhookBody(delivery: ClaimedDelivery): WebhookBody {
  const { event } = delivery;
  return {
    id: event.id,
    type: event.type,
    occurredAt: new Date(event.occurredAt).toISOString(),
    workspaceId: delivery.workspaceId,
    actor: event.actor,
    subject: { type: event.subjectType, id: globalId(event.subjectType, event.subjectId) },
    payload: event.payload ?? {},
  };
}

/** The secrets that sign now: the current one, and the previous one during a rotation's grace period. */
export function signingSecrets(delivery: ClaimedDelivery, now = new Date()): string[] {
  const graceEnds = delivery.previousSecretExpiresAt ? new Date(delivery.previousSecretExpiresAt) : null;
  return delivery.previousSecret && graceEnds && graceEnds > now ? [delivery.secret, delivery.previousSecret] : [delivery.secret];
}

/** The body (exactly the bytes signed) and the headers of one attempt. */
export function webhookRequest(delivery: ClaimedDelivery, now = new Date()): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify(webhookBody(delivery));
  const timestamp = Math.floor(now.getTime() / 1000);
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'crm-webhooks/1',
      'x-crm-event-id': delivery.eventId,
      'x-crm-event-type': delivery.eventType,
      'x-crm-delivery-id': delivery.id,
      'x-crm-delivery-attempt': String(delivery.attempts),
      [SIGNATURE_HEADER]: signatureHeader(signingSecrets(delivery, now), timestamp, body),
    },
  };
}
