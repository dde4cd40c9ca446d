// GraphQL operations and helpers the webhook suites share.
import type { TestWorkspace } from '../../src/testing/index.js';

export const CREATE_WEBHOOK = /* GraphQL */ `
  mutation ($input: CreateWebhookInput!) {
    createWebhook(input: $input) { secret webhook { id url eventTypes enabled description } }
  }
`;
export const UPDATE_WEBHOOK = /* GraphQL */ `
  mutation ($input: UpdateWebhookInput!) {
    updateWebhook(input: $input) { webhook { id url eventTypes enabled disabledAt disabledReason consecutiveFailures description } }
  }
`;
export const DELETE_WEBHOOK = `mutation ($id: ID!) { deleteWebhook(input: { id: $id }) { deletedWebhookId } }`;
export const ROTATE_SECRET = /* GraphQL */ `
  mutation ($input: RotateWebhookSecretInput!) { rotateWebhookSecret(input: $input) { secret webhook { id previousSecretExpiresAt } } }
`;
export const REDELIVER = `mutation ($id: ID!) { redeliverWebhookDelivery(input: { id: $id }) { delivery { id status attempts } } }`;
const WEBHOOK_FIELDS = /* GraphQL */ `
  fragment WebhookFields on Webhook {
    id url eventTypes enabled disabledReason consecutiveFailures
    deliveries(first: $deliveries, status: $status) {
      totalCount
      edges { node {
        id eventId eventType eventCursor status attempts lastResponseStatus lastError lastDurationMs
        lastAttemptAt nextAttemptAt deliveredAt createdAt webhook { id }
      } }
    }
  }
`;
export const WEBHOOKS = /* GraphQL */ `
  query ($status: WebhookDeliveryStatus, $deliveries: Int = 5) {
    webhooks(first: 10) { totalCount edges { node { ...WebhookFields } } }
  }
  ${WEBHOOK_FIELDS}
`;
export const WEBHOOK = /* GraphQL */ `
  query ($id: ID!, $status: WebhookDeliveryStatus) { node(id: $id) { ...WebhookFields } }
  ${WEBHOOK_FIELDS.replace('$deliveries', '20')}
`;
export const CREATE_CUSTOMER = `mutation ($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }`;
export const UPDATE_CUSTOMER = `mutation ($input: UpdateCustomerInput!) { updateCustomer(input: $input) { customer { id } } }`;

export interface DeliveryNode {
  id: string;
  eventId: string;
  eventType: string;
  eventCursor: string;
  status: 'PENDING' | 'DELIVERED' | 'FAILED';
  attempts: number;
  lastResponseStatus: number | null;
  lastError: string | null;
  lastDurationMs: number | null;
  lastAttemptAt: string | null;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  createdAt: string;
  webhook: { id: string };
}
export interface WebhookNode {
  id: string;
  url: string;
  eventTypes: string[];
  enabled: boolean;
  disabledReason: string | null;
  consecutiveFailures: number;
  deliveries: { totalCount: number; edges: { node: DeliveryNode }[] };
}

export async function createWebhook(ws: TestWorkspace, input: Record<string, unknown>): Promise<{ id: string; secret: string }> {
  const data = await ws.client.query(CREATE_WEBHOOK, { input });
  return { id: data.createWebhook.webhook.id, secret: data.createWebhook.secret };
}

/** The workspace's webhooks with their delivery logs (optionally one status only). */
export async function listWebhooks(ws: TestWorkspace, status?: DeliveryNode['status']): Promise<WebhookNode[]> {
  const data = await ws.client.query(WEBHOOKS, { status });
  return data.webhooks.edges.map((edge: { node: WebhookNode }) => edge.node);
}

/** One webhook with its latest 20 deliveries, through `node(id:)`. */
export async function webhookById(ws: TestWorkspace, id: string, status?: DeliveryNode['status']): Promise<WebhookNode> {
  const data = await ws.client.query(WEBHOOK, { id, status });
  if (!data.node) throw new Error(`webhook ${id} not found`);
  return data.node;
}

export async function createCustomer(ws: TestWorkspace, name: string, email?: string): Promise<string> {
  const data = await ws.client.query(CREATE_CUSTOMER, { input: { name, email } });
  return data.createCustomer.customer.id;
}

/** Polls `check` until it returns a value (not undefined), or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
