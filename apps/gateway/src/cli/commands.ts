import { ApiKeyVerifier, CommandRunner, createWorkspace, issueApiKey, revokeApiKey, seedWorkspace, systemSession } from '@crm/core';
import type { Database, Role } from '@crm/db';
import { options, positiveInt, required, UsageError } from './args.js';
import { progressBar } from './progress.js';

export interface Command {
  usage: string;
  run(argv: string[], database: Database): Promise<Record<string, unknown>>;
}

const roles: Role[] = ['ADMIN', 'MEMBER', 'READ_ONLY'];

export const commands: Record<string, Command> = {
  'workspace create': {
    usage: 'workspace create --name NAME          creates a workspace with its default pipeline and an ADMIN API key',
    async run(argv, database) {
      const { name } = options(argv, { name: { type: 'string' } });
      const created = await createWorkspace(database.prisma, { name: required(name, 'name') });
      return { workspaceId: created.workspaceId, apiKey: created.apiKey, name: created.name };
    },
  },
  'apikey create': {
    usage: 'apikey create --workspace ID [--role ADMIN|MEMBER|READ_ONLY] [--name NAME]',
    async run(argv, database) {
      const args = options(argv, { workspace: { type: 'string' }, role: { type: 'string', default: 'MEMBER' }, name: { type: 'string', default: 'cli' } });
      const workspaceId = required(args.workspace, 'workspace');
      const role = String(args.role).toUpperCase() as Role;
      if (!roles.includes(role)) throw new UsageError(`--role must be one of ${roles.join(', ')}`);
      if (!(await database.prisma.workspace.findUnique({ where: { id: workspaceId } }))) throw new Error(`No workspace ${workspaceId}`);
      const key = await issueApiKey(database.prisma, { workspaceId, role, name: String(args.name) });
      return { apiKeyId: key.id, apiKey: key.apiKey, role: key.role };
    },
  },
  'apikey revoke': {
    usage: 'apikey revoke --id API_KEY_ID',
    async run(argv, database) {
      const id = required(options(argv, { id: { type: 'string' } }).id, 'id');
      const key = await database.prisma.apiKey.findUnique({ where: { id } });
      if (!key) throw new Error(`No API key ${id}`);
      // Through the command runner, so the revocation is an event like any other.
      const caller = new CommandRunner({ prisma: database.prisma }).callerFor(systemSession(key.workspaceId));
      await revokeApiKey(caller, { id });
      new ApiKeyVerifier(database.prisma).forget(id);
      return { revoked: id };
    },
  },
  seed: {
    usage: 'seed --workspace ID --customers N [--seed S]   synthetic customers with their companies, orders, activities, deals, tickets',
    async run(argv, database) {
      const args = options(argv, { workspace: { type: 'string' }, customers: { type: 'string' }, seed: { type: 'string', default: '1' } });
      const workspaceId = required(args.workspace, 'workspace');
      const customers = positiveInt(required(args.customers, 'customers'), 'customers');
      if (!(await database.prisma.workspace.findUnique({ where: { id: workspaceId } }))) throw new Error(`No workspace ${workspaceId}`);
      const bar = progressBar('seeding');
      const started = Date.now();
      const summary = await seedWorkspace(database.prisma, workspaceId, {
        customers,
        seed: positiveInt(String(args.seed), 'seed'),
        onProgress: (p) => bar.update(p.customersWritten, p.customers),
      });
      bar.done();
      return { workspaceId, ...summary, durationMs: Date.now() - started };
    },
  },
  migrate: {
    usage: 'migrate                                applies pending migrations to the configured database',
    async run(argv, database) {
      options(argv, {});
      return { ...(await database.migrate()) };
    },
  },
};
