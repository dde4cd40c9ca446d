import {
  createWebhook,
  deleteWebhook,
  redeliverWebhookDelivery,
  rotateWebhookSecret,
  updateWebhook,
  type ObjectCatalog,
  type WebhookTargetPolicy,
} from '@crm/core';
import { type CustomRole, enums, type Webhook } from '@crm/db';
import type { Builder } from '../builder.js';
import { callerOf } from '../caller.js';
import { optionalRowId, rowId } from '../ids.js';
import { cursorInWorkspace } from '../objects/cursor-in-workspace.js';
import { deletedPayloadType, payloadType } from '../payload.js';
import type { Enums } from './enums.js';
import { eventCursor } from './events.js';
import { customView, type registerRoles } from './roles.js';

/**
 * Webhooks, for ADMIN keys only (MEMBER and READ_ONLY keys get FORBIDDEN): endpoints, their delivery logs, and the
 * mutations that manage them. A signing secret is shown once, in the payload that created or rotated it.
 */
export function registerWebhooks(
  builder: Builder,
  roleEnums: Enums,
  roleRef: ReturnType<typeof registerRoles>,
  catalog: ObjectCatalog,
  policy: WebhookTargetPolicy = { allowPrivateTargets: false },
) {
  const DeliveryStatus = builder.enumType(enums.WebhookDeliveryStatus, {
    name: 'WebhookDeliveryStatus',
    description: 'PENDING: waiting for an attempt or a retry. DELIVERED: a 2xx answer. FAILED: retries exhausted, or the webhook was disabled.',
  });

  builder.prismaNode('WebhookDelivery', {
    id: { field: 'id' },
    authScopes: { admin: true },
    description: 'One event sent (or to be sent) to one webhook.',
    fields: (t) => ({
      webhook: t.relation('webhook'),
      eventId: t.exposeString('eventId', { description: 'The event id: the body\'s `id` and the `X-CRM-Event-Id` header.' }),
      eventType: t.exposeString('eventType'),
      eventCursor: t.string({
        description: 'The event\'s cursor, for `events(after:)`.',
        resolve: (delivery) => eventCursor(delivery.eventSeq),
      }),
      status: t.expose('status', { type: DeliveryStatus }),
      attempts: t.exposeInt('attempts', { description: 'Attempts in the current cycle (a redelivery starts a new one).' }),
      lastAttemptAt: t.expose('lastAttemptAt', { type: 'DateTime', nullable: true }),
      nextAttemptAt: t.field({
        type: 'DateTime',
        nullable: true,
        description: 'When the next attempt is due (PENDING only).',
        resolve: (delivery) => (delivery.status === 'PENDING' ? delivery.nextAttemptAt : null),
      }),
      lastResponseStatus: t.exposeInt('lastResponseStatus', { nullable: true, description: 'The HTTP status of the last answer.' }),
      lastError: t.exposeString('lastError', { nullable: true, description: 'Why the last attempt failed (status and start of the body, timeout, connection error).' }),
      lastDurationMs: t.exposeInt('lastDurationMs', { nullable: true }),
      deliveredAt: t.expose('deliveredAt', { type: 'DateTime', nullable: true }),
      createdAt: t.expose('createdAt', { type: 'DateTime' }),
    }),
  });

  const WebhookRef = builder.prismaNode('Webhook', {
    id: { field: 'id' },
    authScopes: { admin: true },
    description: 'An HTTP endpoint that receives this workspace\'s events (see docs/webhooks.md).',
    fields: (t) => ({
      url: t.exposeString('url'),
      description: t.exposeString('description', { nullable: true }),
      eventTypes: t.exposeStringList('eventTypes', { description: 'Types or patterns: `*`, `customer.*`, `deal.won`.' }),
      enabled: t.exposeBoolean('enabled'),
      role: t.expose('role', {
        type: roleEnums.Role,
        description: 'The built-in role deliveries are made as; with `customRole` set, that role decides instead (and this reads READ_ONLY).',
      }),
      customRole: t.field({
        type: roleRef,
        nullable: true,
        description: 'The custom role deliveries are made as: payloads leave out what it does not read (docs/webhooks.md).',
        select: { customRole: true },
        resolve: (webhook) => {
          const role = (webhook as Webhook & { customRole?: CustomRole | null }).customRole;
          return role ? customView(role, catalog) : null;
        },
      }),
      disabledAt: t.expose('disabledAt', { type: 'DateTime', nullable: true }),
      disabledReason: t.exposeString('disabledReason', { nullable: true }),
      consecutiveFailures: t.exposeInt('consecutiveFailures', { description: 'Failed attempts in a row; any success resets it.' }),
      previousSecretExpiresAt: t.field({
        type: 'DateTime',
        nullable: true,
        description: 'After a rotation with a grace period: until when the old secret also signs.',
        resolve: (webhook) =>
          webhook.previousSecretExpiresAt && webhook.previousSecretExpiresAt > new Date() ? webhook.previousSecretExpiresAt : null,
      }),
      createdAt: t.expose('createdAt', { type: 'DateTime' }),
      updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
      deliveries: t.relatedConnection('deliveries', {
        cursor: 'id',
        totalCount: true,
        description: 'The delivery log, latest event first.',
        args: { status: t.arg({ type: DeliveryStatus }) },
        query: (args) => ({ where: args.status ? { status: args.status } : {}, orderBy: [{ eventSeq: 'desc' }] }),
      }),
    }),
  });

  builder.queryFields((t) => ({
    webhooks: t.prismaConnection({
      type: 'Webhook',
      cursor: 'id',
      authScopes: { admin: true },
      description: 'The workspace\'s webhooks, newest first (ADMIN keys).',
      resolve: async (query, _root, args, ctx) => {
        const { db } = callerOf(ctx);
        const page = await cursorInWorkspace(query, args, (id) => db.webhook.findFirst({ where: { id }, select: { id: true } }));
        return db.webhook.findMany({ ...page, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] });
      },
      totalCount: (_c, _args, ctx) => callerOf(ctx).db.webhook.count(),
    }),
  }));

  const CreateWebhookInput = builder.inputType('CreateWebhookInput', {
    fields: (t) => ({
      url: t.string({ required: true, description: 'http(s) URL, at most 2048 characters.' }),
      eventTypes: t.stringList({ required: true, description: 'Types or patterns: `*`, `customer.*`, `deal.won`.' }),
      secret: t.string({ description: 'The signing secret (16-200 printable characters); generated when left out.' }),
      description: t.string(),
      role: t.field({ type: roleEnums.Role, description: 'The built-in role deliveries are made as; or give `roleId`. @default ADMIN' }),
      roleId: t.id({ description: 'A custom role deliveries are made as: payloads leave out what it does not read, events it does not see are not sent.' }),
    }),
  });
  const UpdateWebhookInput = builder.inputType('UpdateWebhookInput', {
    fields: (t) => ({
      id: t.id({ required: true }),
      url: t.string(),
      eventTypes: t.stringList(),
      enabled: t.boolean({ description: 'Enabling again starts from the present: events of the disabled time are not sent.' }),
      description: t.string(),
      role: t.field({ type: roleEnums.Role, description: 'Deliver as this built-in role from now on; or give `roleId`.' }),
      roleId: t.id({ description: 'Deliver as this custom role from now on (pending deliveries included).' }),
    }),
  });
  const RotateWebhookSecretInput = builder.inputType('RotateWebhookSecretInput', {
    fields: (t) => ({
      id: t.id({ required: true }),
      secret: t.string({ description: 'The new secret; generated when left out.' }),
      graceSeconds: t.int({ description: 'How long the old secret keeps signing too (at most 7 days). @default 0' }),
    }),
  });
  const IdInput = (name: string) => builder.inputType(name, { fields: (t) => ({ id: t.id({ required: true }) }) });
  const DeleteWebhookInput = IdInput('DeleteWebhookInput');
  const RedeliverWebhookDeliveryInput = IdInput('RedeliverWebhookDeliveryInput');

  const withSecret = (name: string) =>
    builder.objectRef<{ webhook: Webhook; secret: string }>(name).implement({
      fields: (t) => ({
        webhook: t.field({ type: WebhookRef, resolve: (p) => p.webhook }),
        secret: t.exposeString('secret', { description: 'The signing secret. Shown only here, once: store it now.' }),
      }),
    });
  const webhookId = (id: string) => rowId(id, 'Webhook', 'id');

  builder.mutationFields((t) => ({
    createWebhook: t.field({
      type: withSecret('CreateWebhookPayload'),
      authScopes: { admin: true },
      args: { input: t.arg({ type: CreateWebhookInput, required: true }) },
      resolve: (_root, { input }, ctx) => createWebhook(callerOf(ctx), { ...input, customRoleId: optionalRowId(input.roleId, 'CustomRole', 'roleId') }, policy),
    }),
    updateWebhook: t.field({
      type: payloadType(builder, 'UpdateWebhookPayload', 'webhook', 'Webhook'),
      authScopes: { admin: true },
      args: { input: t.arg({ type: UpdateWebhookInput, required: true }) },
      resolve: async (_root, { input }, ctx) => ({
        webhook: await updateWebhook(callerOf(ctx), { ...input, id: webhookId(input.id), customRoleId: optionalRowId(input.roleId, 'CustomRole', 'roleId') }, policy),
      }),
    }),
    deleteWebhook: t.field({
      type: deletedPayloadType(builder, 'DeleteWebhookPayload', 'deletedWebhookId'),
      authScopes: { admin: true },
      args: { input: t.arg({ type: DeleteWebhookInput, required: true }) },
      resolve: async (_root, { input }, ctx) => {
        await deleteWebhook(callerOf(ctx), { id: webhookId(input.id) });
        return { deletedId: input.id };
      },
    }),
    rotateWebhookSecret: t.field({
      type: withSecret('RotateWebhookSecretPayload'),
      authScopes: { admin: true },
      args: { input: t.arg({ type: RotateWebhookSecretInput, required: true }) },
      resolve: (_root, { input }, ctx) => rotateWebhookSecret(callerOf(ctx), { ...input, id: webhookId(input.id) }),
    }),
    redeliverWebhookDelivery: t.field({
      type: payloadType(builder, 'RedeliverWebhookDeliveryPayload', 'delivery', 'WebhookDelivery'),
      authScopes: { admin: true },
      description: 'Queues a delivery again at once, with a fresh retry cycle.',
      args: { input: t.arg({ type: RedeliverWebhookDeliveryInput, required: true }) },
      resolve: async (_root, { input }, ctx) => ({
        delivery: await redeliverWebhookDelivery(callerOf(ctx), { id: rowId(input.id, 'WebhookDelivery', 'id') }),
      }),
    }),
  }));
}
