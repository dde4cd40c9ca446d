// `crm plugin deliveries` and `crm plugin redeliver`: an operator sees a plugin's failed deliveries and runs them again
// once the plugin is mended (the same as the ADMIN GraphQL fields pluginDeliveries / redeliverPluginDeliveries).
import { CommandRunner } from '@crm/core';
import { scopeToWorkspace } from '@crm/db';
import { maxChainDepthFromEnv, pluginHostFromEnvironment } from '@crm/plugin-sdk/host';
import { id, options, required, UsageError, wholeNumber } from './args.js';
import { type CliCommand, CommandError } from './command.js';
import { assertWorkspace } from './workspace.js';

const shown = { id: true, subscriber: true, eventId: true, eventType: true, status: true, attempts: true, lastError: true, createdAt: true, updatedAt: true } as const;

export const pluginDeliveries: CliCommand = {
  summary: "lists a plugin's event deliveries in a workspace (the FAILED ones with --failed)",
  usage: '--workspace ID --plugin ID [--failed] [--limit N]',
  help: [
    'Prints {"workspaceId","plugin","deliveries":[{id,subscriber,eventId,eventType,status,attempts,lastError,…}]}, newest first.',
    '',
    '  --workspace ID   the workspace (required)',
    '  --plugin ID      the plugin id, e.g. loyalty (required)',
    '  --failed         only deliveries that failed for good (redeliver them with `plugin redeliver`)',
    '  --limit N        at most N, 1 to 1,000 (default 100)',
  ].join('\n'),
  prepare(argv) {
    const args = options(argv, { workspace: { type: 'string' }, plugin: { type: 'string' }, failed: { type: 'boolean' }, limit: { type: 'string', default: '100' } });
    const workspaceId = id(args.workspace, 'workspace');
    const pluginId = required(args.plugin, 'plugin');
    const limit = wholeNumber(args.limit ?? '100', 'limit', { min: 1, max: 1000 });
    return {
      async run(database) {
        await assertWorkspace(database, workspaceId);
        const deliveries = await scopeToWorkspace(database.prisma, workspaceId).pluginDelivery.findMany({
          where: { pluginId, ...(args.failed ? { status: 'FAILED' as const } : {}) },
          select: shown,
          orderBy: [{ updatedAt: 'desc' }, { id: 'desc' }],
          take: limit,
        });
        return { workspaceId, plugin: pluginId, deliveries };
      },
    };
  },
};

export const pluginRedeliver: CliCommand = {
  summary: "runs a plugin's FAILED deliveries in a workspace again (one, or --all)",
  usage: '--workspace ID --plugin ID (--delivery ID | --all)',
  help: [
    'Runs each FAILED delivery through its subscriber again, with the plugin\'s retry policy, in this process (the',
    'plugins enabled here: CRM_PLUGINS or crm.config.json). Prints {"workspaceId","plugin","redelivered",',
    '"deliveries":[…as they are now]}; exit code 1 when one is still FAILED.',
    '',
    '  --workspace ID   the workspace (required)',
    '  --plugin ID      the plugin id (required)',
    '  --delivery ID    one delivery (its id from `plugin deliveries`)',
    '  --all            every FAILED delivery of the plugin in the workspace',
  ].join('\n'),
  prepare(argv) {
    const args = options(argv, { workspace: { type: 'string' }, plugin: { type: 'string' }, delivery: { type: 'string' }, all: { type: 'boolean' } });
    const workspaceId = id(args.workspace, 'workspace');
    const pluginId = required(args.plugin, 'plugin');
    const deliveryId = args.delivery === undefined ? undefined : id(args.delivery, 'delivery');
    if (Boolean(deliveryId) === Boolean(args.all)) throw new UsageError('say which: --delivery ID or --all');
    return {
      async run(database) {
        await assertWorkspace(database, workspaceId);
        const { host } = await pluginHostFromEnvironment();
        if (!host.plugins.some((p) => p.id === pluginId)) {
          throw new CommandError(`No enabled plugin "${pluginId}" (enabled: ${host.plugins.map((p) => p.id).join(', ') || 'none'})`);
        }
        // Events the subscribers emit are written here and published by a running gateway's outbox relay.
        const runner = new CommandRunner({ prisma: database.prisma, beforeCommit: [host.commitHook] });
        // The gateway's chain bound (PLUGIN_MAX_CHAIN_DEPTH): a delivery past it is not redelivered here either.
        const runtime = host.start({ runner, prisma: database.prisma, jobTimers: false, maxChainDepth: maxChainDepthFromEnv() });
        try {
          const ids = await runtime.redeliver(workspaceId, pluginId, deliveryId);
          if (deliveryId && !ids.length) throw new CommandError(`No FAILED delivery ${deliveryId} of ${pluginId} in workspace ${workspaceId}`);
          const deliveries = await scopeToWorkspace(database.prisma, workspaceId).pluginDelivery.findMany({
            where: { id: { in: ids } },
            select: shown,
            orderBy: { createdAt: 'asc' },
          });
          const result = { workspaceId, plugin: pluginId, redelivered: ids.length, deliveries };
          if (deliveries.some((d) => d.status === 'FAILED')) throw new CommandError(`${deliveries.filter((d) => d.status === 'FAILED').length} still FAILED`, result);
          return result;
        } finally {
          await runtime.stop();
        }
      },
    };
  },
};
