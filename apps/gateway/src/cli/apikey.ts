import { type Caller, CommandRunner, createApiKey, revokeApiKey, systemSession } from '@crm/core';
import type { Database, Role } from '@crm/db';
import { duration, id, options, UsageError } from './args.js';
import { type CliCommand, CommandError } from './command.js';
import { assertWorkspace } from './workspace.js';

const roles: Role[] = ['ADMIN', 'MEMBER', 'READ_ONLY'];

/** Key changes go through the domain's commands, so they are recorded as events (`apikey.created`, `apikey.revoked`). */
function systemCaller(database: Database, workspaceId: string): Caller {
  return new CommandRunner({ prisma: database.prisma }).callerFor(systemSession(workspaceId));
}

export const apikeyCreate: CliCommand = {
  summary: 'issues another API key for a workspace',
  usage: '--workspace ID [--role ADMIN|MEMBER|READ_ONLY] [--name NAME] [--expires-in 30d]',
  help: [
    'Prints {"apiKeyId","apiKey","role","expiresAt"}. The key is shown once: only its hash is stored.',
    '',
    '  --workspace ID   the workspace (required)',
    '  --role ROLE      ADMIN, MEMBER or READ_ONLY (default MEMBER)',
    '  --name NAME      what the key is for, e.g. "dashboard" (default "cli")',
    '  --expires-in D   the key stops working after D: 90m, 12h, 30d (default: never)',
  ].join('\n'),
  prepare(argv) {
    const args = options(argv, {
      workspace: { type: 'string' },
      role: { type: 'string', default: 'MEMBER' },
      name: { type: 'string', default: 'cli' },
      'expires-in': { type: 'string' },
    });
    const expiresInMs = args['expires-in'] === undefined ? null : duration(args['expires-in'], 'expires-in');
    const workspaceId = id(args.workspace, 'workspace');
    const role = (args.role ?? 'MEMBER').toUpperCase().replace('-', '_') as Role;
    if (!roles.includes(role)) throw new UsageError(`--role must be one of ${roles.join(', ')}`);
    return {
      async run(database) {
        await assertWorkspace(database, workspaceId);
        const expiresAt = expiresInMs === null ? null : new Date(Date.now() + expiresInMs);
        const { issued } = await createApiKey(systemCaller(database, workspaceId), { name: args.name ?? 'cli', role, expiresAt });
        return { apiKeyId: issued.id, apiKey: issued.apiKey, role: issued.role, expiresAt: expiresAt?.toISOString() ?? null };
      },
    };
  },
};

export const apikeyRevoke: CliCommand = {
  summary: 'revokes an API key for good',
  usage: '--id API_KEY_ID',
  help: [
    'Prints {"revoked":"<id>"}. Gateways stop accepting the key within 10 s (they cache verified keys that long).',
    '',
    '  --id ID   the key id (apiKeyId), not the key itself (required)',
  ].join('\n'),
  prepare(argv) {
    const keyId = id(options(argv, { id: { type: 'string' } }).id, 'id');
    return {
      async run(database) {
        const key = await database.prisma.apiKey.findUnique({ where: { id: keyId }, select: { workspaceId: true } });
        if (!key) throw new CommandError(`No API key ${keyId}`);
        await revokeApiKey(systemCaller(database, key.workspaceId), { id: keyId });
        return { revoked: keyId };
      },
    };
  },
};
