import { randomBytes } from 'node:crypto';
import type { Role, Webhook, WebhookDelivery } from '@crm/db';
import type { Caller, CommandScope } from '../command.js';
import { badInput, notFound } from '../errors.js';
import { changedKeys } from '../references.js';
import { fields, parseInput, z } from '../validation.js';
import { type WebhookTargetPolicy, webhookUrlProblem } from './webhook-targets.js';

// Webhook endpoints, for ADMIN keys. Deliveries themselves are made by the gateway's dispatcher from the event log.

/** Most webhooks one workspace may have. */
export const MAX_WEBHOOKS_PER_WORKSPACE = 20;
/** Longest grace period during which a rotated-out secret still signs deliveries. */
export const MAX_SECRET_GRACE_SECONDS = 7 * 24 * 3600;

const defaultPolicy: WebhookTargetPolicy = { allowPrivateTargets: false };

/** `*`, `entity.*`, or an exact `entity.action` type (plugins' types included: only the shape is checked). */
const EVENT_PATTERN = /^(\*|[a-z][a-z0-9_]*\.\*|[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+)$/;

const webhookFields = {
  url: z.string().trim().min(1, 'Must not be empty').max(2048, 'At most 2048 characters').pipe(fields.url),
  eventTypes: z
    .array(z.string().trim().regex(EVENT_PATTERN, 'An event type such as "deal.won", a pattern such as "customer.*", or "*"'))
    .min(1, 'At least one event type or pattern')
    .max(100, 'At most 100 event types')
    .transform((types) => [...new Set(types)]),
  description: fields.shortText,
  secret: z
    .string()
    .min(16, 'A signing secret has at least 16 characters')
    .max(200, 'At most 200 characters')
    .regex(/^[\x21-\x7e]+$/, 'Printable ASCII without spaces'),
};

/** The role a webhook delivers as: a built-in `role` or a custom role (`customRoleId`), not both. */
const deliveredAs = {
  role: z.enum(['ADMIN', 'MEMBER', 'READ_ONLY']).nullish(),
  customRoleId: fields.id.nullish(),
};

const createInput = z.object({
  url: webhookFields.url,
  eventTypes: webhookFields.eventTypes,
  secret: webhookFields.secret.nullish(),
  description: webhookFields.description.nullish(),
  ...deliveredAs,
});
const updateInput = z.object({
  id: fields.id,
  url: webhookFields.url.nullish(),
  eventTypes: webhookFields.eventTypes.nullish(),
  enabled: z.boolean().nullish(),
  description: webhookFields.description.nullish(),
  ...deliveredAs,
});
/** How long a rotated-out secret keeps signing: whole seconds, 0 (at once) to MAX_SECRET_GRACE_SECONDS. */
export const secretGraceSeconds = z.number().int('Whole seconds').min(0, 'Must not be negative').max(MAX_SECRET_GRACE_SECONDS, 'At most 7 days');
const rotateInput = z.object({
  id: fields.id,
  secret: webhookFields.secret.nullish(),
  graceSeconds: secretGraceSeconds.nullish(),
});

/**
 * A signing secret's columns after a rotation to `next` at `now` (also the workflows plugin's): with a grace, the
 * replaced secret keeps signing (a second `v1=`, after the new one's) until it ends; without, it stops at once. A
 * second rotation keeps only the secret it replaces.
 */
export function rolledSecret(replaced: string, next: string, graceSeconds: number, now: Date = new Date()) {
  const grace = graceSeconds > 0;
  return {
    secret: next,
    previousSecret: grace ? replaced : null,
    previousSecretExpiresAt: grace ? new Date(now.getTime() + graceSeconds * 1000) : null,
  };
}

/** A new signing secret: `whsec_` and 32 random bytes. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

/** True when an event type matches one of a webhook's patterns (`*`, `customer.*`, `deal.won`). */
export function eventTypeMatches(patterns: readonly string[], type: string): boolean {
  return patterns.some((p) => p === '*' || p === type || (p.endsWith('.*') && type.startsWith(p.slice(0, -1))));
}

function checkTarget(url: string, policy: WebhookTargetPolicy): void {
  const problem = webhookUrlProblem(new URL(url), policy);
  if (problem) throw badInput(`url: ${problem}`, 'url');
}

/** Hosts only in events: a URL's path or query can carry a token, and events are visible to every key. */
const hostOf = (url: string) => new URL(url).host;

async function currentSeq(scope: CommandScope): Promise<bigint> {
  const sequence = await scope.tx.eventSequence.findUnique({ where: { workspaceId: scope.session.workspaceId }, select: { lastSeq: true } });
  return sequence?.lastSeq ?? 0n; // no row: the workspace has no event yet
}

/**
 * The columns of the role a webhook is to deliver as (undefined: unchanged), checked: a custom role must be the
 * workspace's (NOT_FOUND `roleId`). Webhooks are created by ADMIN keys, so a webhook made without one delivers as ADMIN.
 */
async function deliveryRole(
  scope: CommandScope,
  input: { role?: Role | null; customRoleId?: string | null },
): Promise<{ role: Role; customRoleId: string | null } | undefined> {
  if (input.role != null && input.customRoleId != null) throw badInput('Give either a built-in role or a roleId, not both', 'roleId');
  if (input.customRoleId != null) {
    if (!(await scope.tx.customRole.count({ where: { id: input.customRoleId } }))) throw notFound('Role', 'roleId');
    return { role: 'READ_ONLY', customRoleId: input.customRoleId };
  }
  return input.role != null ? { role: input.role, customRoleId: null } : undefined;
}

async function loadWebhook(scope: CommandScope, id: string): Promise<Webhook> {
  const webhook = await scope.tx.webhook.findUnique({ where: { id } });
  if (!webhook) throw notFound('Webhook', 'id');
  return webhook;
}

/** Pending deliveries of a webhook that stops will not be attempted: they fail with `reason`. */
async function cancelPending(scope: CommandScope, webhookId: string, reason: string): Promise<void> {
  await scope.tx.webhookDelivery.updateMany({
    where: { webhookId, status: 'PENDING' },
    data: { status: 'FAILED', lastError: reason, nextAttemptAt: null },
  });
}

/**
 * Registers an endpoint. It receives the matching events committed from now on. The secret (given or generated)
 * is returned here and by {@link rotateWebhookSecret} only.
 */
export async function createWebhook(
  caller: Caller,
  raw: z.input<typeof createInput>,
  policy: WebhookTargetPolicy = defaultPolicy,
): Promise<{ webhook: Webhook; secret: string }> {
  const input = parseInput(createInput, raw);
  checkTarget(input.url, policy);
  return caller.run(
    async (scope) => {
      if ((await scope.tx.webhook.count()) >= MAX_WEBHOOKS_PER_WORKSPACE) {
        throw badInput(`A workspace can have at most ${MAX_WEBHOOKS_PER_WORKSPACE} webhooks`);
      }
      const secret = input.secret ?? generateWebhookSecret();
      const role = (await deliveryRole(scope, input)) ?? { role: 'ADMIN' as Role, customRoleId: null };
      const webhook = await scope.tx.webhook.create({
        data: {
          ...role,
          workspaceId: scope.session.workspaceId,
          url: input.url,
          eventTypes: input.eventTypes,
          description: input.description ?? null,
          secret,
          cursorSeq: await currentSeq(scope),
        },
      });
      scope.emit('webhook.created', { type: 'Webhook', id: webhook.id }, { host: hostOf(webhook.url), eventTypes: webhook.eventTypes });
      return { webhook, secret };
    },
    { role: 'ADMIN' },
  );
}

/**
 * Changes an endpoint. Disabling cancels its pending deliveries; enabling (again) starts from the present, so
 * events committed while it was disabled are not sent (redeliver them one by one if needed).
 */
export async function updateWebhook(
  caller: Caller,
  raw: z.input<typeof updateInput>,
  policy: WebhookTargetPolicy = defaultPolicy,
): Promise<Webhook> {
  const input = parseInput(updateInput, raw);
  for (const key of ['url', 'eventTypes', 'enabled', 'role'] as const) {
    if (input[key] === null) throw badInput(`${key} cannot be removed`, key);
  }
  if (input.url) checkTarget(input.url, policy);
  return caller.run(
    async (scope) => {
      const before = await loadWebhook(scope, input.id);
      const data: Parameters<typeof scope.tx.webhook.update>[0]['data'] = {
        url: input.url ?? undefined,
        eventTypes: input.eventTypes ?? undefined,
        description: input.description,
        ...(await deliveryRole(scope, input)),
      };
      if (input.enabled === true && !before.enabled) {
        Object.assign(data, {
          enabled: true, cursorSeq: await currentSeq(scope), consecutiveFailures: 0, failingSince: null, disabledAt: null, disabledReason: null,
        });
      } else if (input.enabled === false && before.enabled) {
        Object.assign(data, { enabled: false, disabledAt: new Date(), disabledReason: 'Disabled by an administrator' });
        // Deliveries before the webhook row, the order the dispatcher locks them in.
        await cancelPending(scope, before.id, 'Webhook disabled');
      }
      const webhook = await scope.tx.webhook.update({ where: { id: before.id }, data });
      scope.emit('webhook.updated', { type: 'Webhook', id: webhook.id }, { changed: [...new Set(changedKeys(input).map((key) => (key === 'customRoleId' ? 'role' : key)))] });
      return webhook;
    },
    { role: 'ADMIN' },
  );
}

/** Deletes an endpoint and its delivery log. */
export async function deleteWebhook(caller: Caller, raw: { id: string }): Promise<Webhook> {
  const { id } = parseInput(z.object({ id: fields.id }), raw);
  return caller.run(
    async (scope) => {
      const webhook = await loadWebhook(scope, id);
      await scope.tx.webhook.delete({ where: { id } });
      scope.emit('webhook.deleted', { type: 'Webhook', id }, { host: hostOf(webhook.url) });
      return webhook;
    },
    { role: 'ADMIN' },
  );
}

/**
 * Replaces the signing secret (given or generated) and returns it, once. With `graceSeconds`, the old secret keeps
 * signing too (a second `v1=` in the signature header) until the grace period ends, so receivers can switch over.
 */
export async function rotateWebhookSecret(caller: Caller, raw: z.input<typeof rotateInput>): Promise<{ webhook: Webhook; secret: string }> {
  const input = parseInput(rotateInput, raw);
  return caller.run(
    async (scope) => {
      const before = await loadWebhook(scope, input.id);
      const secret = input.secret ?? generateWebhookSecret();
      const webhook = await scope.tx.webhook.update({ where: { id: before.id }, data: rolledSecret(before.secret, secret, input.graceSeconds ?? 0) });
      scope.emit('webhook.updated', { type: 'Webhook', id: webhook.id }, { changed: ['secret'] });
      return { webhook, secret };
    },
    { role: 'ADMIN' },
  );
}

/** Queues a delivery again, at once, with a fresh retry cycle (whatever its status). */
export async function redeliverWebhookDelivery(caller: Caller, raw: { id: string }): Promise<WebhookDelivery> {
  const { id } = parseInput(z.object({ id: fields.id }), raw);
  return caller.run(
    async (scope) => {
      const delivery = await scope.tx.webhookDelivery.findUnique({ where: { id } });
      if (!delivery) throw notFound('Webhook delivery', 'id');
      return scope.tx.webhookDelivery.update({
        where: { id },
        data: { status: 'PENDING', attempts: 0, nextAttemptAt: new Date(), deliveredAt: null },
      });
    },
    { role: 'ADMIN' },
  );
}

/**
 * Disables a webhook that keeps failing (called by the dispatcher with a system session) and records
 * `webhook.disabled`. Returns false when it was already disabled (another instance got there first).
 */
export async function disableFailingWebhook(
  caller: Caller,
  input: { id: string; consecutiveFailures: number; reason: string },
): Promise<boolean> {
  return caller.run(
    async (scope) => {
      const webhook = await scope.tx.webhook.findUnique({ where: { id: input.id }, select: { enabled: true } });
      if (!webhook?.enabled) return false;
      // Deliveries before the webhook: the dispatcher's statements lock rows in that order too (no deadlock).
      await cancelPending(scope, input.id, 'Webhook disabled after repeated failures');
      const { count } = await scope.tx.webhook.updateMany({
        where: { id: input.id, enabled: true },
        data: { enabled: false, disabledAt: new Date(), disabledReason: input.reason },
      });
      if (count === 0) return false;
      scope.emit('webhook.disabled', { type: 'Webhook', id: input.id }, { reason: input.reason, consecutiveFailures: input.consecutiveFailures });
      return true;
    },
    { role: 'ADMIN' },
  );
}
