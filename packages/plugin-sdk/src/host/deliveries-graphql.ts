// Operators mend a plugin: its deliveries (FAILED ones above all) and redelivery, for ADMIN keys. The same as
// `crm plugin deliveries` / `crm plugin redeliver` on the command line.
import { badInput, CrmError, requireRole } from '@crm/core';
import { enums } from '@crm/db';
import { type Builder, type GraphContext, MAX_PAGE_SIZE, rowId } from '@crm/graph';
import type { Plugin } from '../plugin.js';
import type { PluginRuntime } from './plugin-runtime.js';

function adminOf(context: GraphContext) {
  if (!context.caller) throw new CrmError('UNAUTHENTICATED', 'Send an API key: Authorization: Bearer <apiKey>');
  requireRole(context.caller.session, 'ADMIN');
  return context.caller;
}

export function registerPluginDeliveries(builder: Builder, plugins: readonly Plugin[], runtime: () => PluginRuntime | null) {
  const known = (pluginId: string) => {
    if (!plugins.some((p) => p.id === pluginId)) throw badInput(`pluginId: no enabled plugin "${pluginId}"`, 'pluginId');
  };
  const Status = builder.enumType(enums.PluginDeliveryStatus, {
    name: 'PluginDeliveryStatus',
    description:
      'DONE: the subscriber handled the event. FAILED: it kept throwing through its retries (redeliver it once mended). SKIPPED: not delivered, for good: the event\'s causal chain was past the host\'s bound (PLUGIN_MAX_CHAIN_DEPTH).',
  });
  const Delivery = builder.prismaNode('PluginDelivery', {
    id: { field: 'id' },
    authScopes: { admin: true },
    description: 'One event handled (or not) by one plugin subscriber.',
    fields: (t) => ({
      pluginId: t.exposeString('pluginId'),
      subscriber: t.exposeString('subscriber', { description: 'The subscriber\'s name in the plugin.' }),
      eventId: t.exposeString('eventId'),
      eventType: t.exposeString('eventType'),
      status: t.expose('status', { type: Status }),
      attempts: t.exposeInt('attempts', { description: 'Tries so far, every round counted.' }),
      lastError: t.exposeString('lastError', { nullable: true, description: 'The last error the subscriber threw.' }),
      createdAt: t.expose('createdAt', { type: 'DateTime' }),
      updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    }),
  });

  builder.queryField('pluginDeliveries', (t) =>
    t.prismaField({
      type: [Delivery],
      authScopes: { admin: true },
      description: "A plugin's deliveries in this workspace, newest first (ADMIN keys).",
      args: {
        pluginId: t.arg.string({ required: true }),
        status: t.arg({ type: Status, description: 'Only these (e.g. FAILED).' }),
        first: t.arg.int({ defaultValue: 50, description: `At most ${MAX_PAGE_SIZE}.` }),
      },
      resolve: (query, _root, args, context) => {
        const caller = adminOf(context);
        known(args.pluginId);
        const first = args.first ?? 50;
        if (first < 1 || first > MAX_PAGE_SIZE) throw badInput(`first: from 1 to ${MAX_PAGE_SIZE}`, 'first');
        return caller.db.pluginDelivery.findMany({
          ...query,
          where: { pluginId: args.pluginId, ...(args.status ? { status: args.status } : {}) },
          orderBy: [{ updatedAt: 'desc' }, { id: 'desc' }],
          take: first,
        });
      },
    }),
  );

  const Input = builder.inputType('RedeliverPluginDeliveriesInput', {
    fields: (t) => ({
      pluginId: t.string({ required: true }),
      deliveryId: t.id({ description: 'One FAILED delivery; left out, every FAILED delivery of the plugin in this workspace.' }),
    }),
  });
  const Payload = builder.objectRef<{ ids: string[] }>('RedeliverPluginDeliveriesPayload').implement({
    fields: (t) => ({
      redelivered: t.int({ description: 'How many FAILED deliveries were tried again.', resolve: (p) => p.ids.length }),
      deliveries: t.prismaField({
        type: [Delivery],
        description: 'Those deliveries as they are now: DONE when the subscriber succeeded this time.',
        resolve: (query, p, _args, context) => adminOf(context).db.pluginDelivery.findMany({ ...query, where: { id: { in: p.ids } }, orderBy: { createdAt: 'asc' } }),
      }),
    }),
  });
  builder.mutationField('redeliverPluginDeliveries', (t) =>
    t.field({
      type: Payload,
      authScopes: { admin: true },
      description: "Runs a plugin's FAILED deliveries again (one or all) with its retry policy, and answers once they finished.",
      args: { input: t.arg({ type: Input, required: true }) },
      resolve: async (_root, { input }, context) => {
        const caller = adminOf(context);
        known(input.pluginId);
        const deliveryId = input.deliveryId ? rowId(input.deliveryId, 'PluginDelivery', 'deliveryId') : undefined;
        const running = runtime();
        if (!running) throw new CrmError('CONFLICT', 'This gateway delivers no plugin events (no plugin runtime started)');
        const ids = await running.redeliver(caller.session.workspaceId, input.pluginId, deliveryId);
        if (deliveryId && !ids.length) throw badInput('deliveryId: no FAILED delivery of this plugin with this id in your workspace', 'deliveryId');
        return { ids };
      },
    }),
  );
}
