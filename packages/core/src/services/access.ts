import type { ApiKey, Role, User } from '@crm/db';
import { issueApiKey, type IssuedApiKey } from '../api-keys.js';
import type { Caller } from '../command.js';
import { badInput, notFound } from '../errors.js';
import { assertOptionalInWorkspace, changedKeys } from '../references.js';
import type { RoleGrants } from '../permissions/role-grants.js';
import { fields, parseInput, z } from '../validation.js';

// Team members and API keys: ADMIN keys only.

const roles = ['ADMIN', 'MEMBER', 'READ_ONLY'] as const;

const createUserInput = z.object({ name: fields.name, email: fields.email, role: z.enum(roles).nullish() });
const updateUserInput = z.object({
  id: fields.id,
  name: fields.name.nullish(),
  email: fields.email.nullish(),
  role: z.enum(roles).nullish(),
  active: z.boolean().nullish(),
});

export async function createUser(caller: Caller, raw: z.input<typeof createUserInput>): Promise<User> {
  const input = parseInput(createUserInput, raw);
  return caller.run(
    async (scope) => {
      const user = await scope.tx.user.create({
        data: { workspaceId: scope.session.workspaceId, name: input.name, email: input.email, role: input.role ?? 'MEMBER' },
      });
      scope.emit('user.created', { type: 'User', id: user.id }, { name: user.name, email: user.email });
      return user;
    },
    { role: 'ADMIN' },
  );
}

export async function updateUser(caller: Caller, raw: z.input<typeof updateUserInput>): Promise<User> {
  const input = parseInput(updateUserInput, raw);
  return caller.run(
    async (scope) => {
      if ((await scope.tx.user.count({ where: { id: input.id } })) === 0) throw notFound('User', 'id');
      for (const key of ['name', 'email', 'role', 'active'] as const) {
        if (input[key] === null) throw badInput(`${key} cannot be removed`, key);
      }
      const user = await scope.tx.user.update({
        where: { id: input.id },
        data: { name: input.name ?? undefined, email: input.email ?? undefined, role: input.role ?? undefined, active: input.active ?? undefined },
      });
      scope.emit('user.updated', { type: 'User', id: user.id }, { changed: changedKeys(input) });
      return user;
    },
    { role: 'ADMIN' },
  );
}

const createApiKeyInput = z.object({
  name: fields.name,
  role: z.enum(roles).nullish(),
  customRoleId: fields.id.nullish(),
  scopes: z.array(z.string()).max(100).nullish(),
  userId: fields.id.nullish(),
  expiresAt: fields.date.refine((at) => at.getTime() > Date.now(), 'Must be in the future').nullish(),
});

/**
 * Issues a key with a built-in `role` or a custom role (`customRoleId`), optionally narrowed by `scopes` (checked
 * against the schema's objects by the caller: `checkScopes`).
 */
export async function createApiKey(caller: Caller, raw: z.input<typeof createApiKeyInput>): Promise<{ key: ApiKey; issued: IssuedApiKey }> {
  const input = parseInput(createApiKeyInput, raw);
  if ((input.role == null) === (input.customRoleId == null)) throw badInput('Give either a built-in role or a roleId', input.role == null ? 'role' : 'roleId');
  return caller.run(
    async (scope) => {
      await assertOptionalInWorkspace(scope.tx, 'user', input.userId, 'userId');
      if (input.customRoleId) {
        const role = await scope.tx.customRole.findUnique({ where: { id: input.customRoleId }, select: { grants: true } });
        if (!role) throw notFound('Role', 'roleId');
        if (keepsOwnRecords(role.grants as unknown as RoleGrants) && !input.userId) throw badInput('This role keeps only its own records: link the key to a team member', 'userId');
      }
      const issued = await issueApiKey(scope.tx, {
        workspaceId: scope.session.workspaceId,
        name: input.name,
        // A custom role decides for the key; the built-in column then holds the least role.
        role: (input.role ?? 'READ_ONLY') as Role,
        customRoleId: input.customRoleId ?? null,
        scopes: input.scopes ?? [],
        userId: input.userId ?? null,
        expiresAt: input.expiresAt ?? null,
      });
      const key = await scope.tx.apiKey.findUniqueOrThrow({ where: { id: issued.id } });
      scope.emit('apikey.created', { type: 'ApiKey', id: key.id }, { name: key.name, role: key.role });
      return { key, issued };
    },
    { role: 'ADMIN' },
  );
}

const updateApiKeyInput = z.object({
  id: fields.id,
  role: z.enum(roles).nullish(),
  customRoleId: fields.id.nullish(),
  scopes: z.array(z.string()).max(100).nullish(),
});

/** Whether a role's grants keep only the key's user's records somewhere (such a key must be linked to a user). */
function keepsOwnRecords(grants: RoleGrants): boolean {
  return Object.values(grants.objects).some((grant) => grant.ownRecordsOnly);
}

/**
 * Moves a key to another role (a built-in `role` or a custom role, `customRoleId`) and/or replaces its `scopes`
 * (checked against the schema's objects by the caller). Its live sessions follow at once, on every instance
 * (`apikey.updated`). A key cannot change itself, so a workspace cannot lock itself out by accident.
 */
export async function updateApiKey(caller: Caller, raw: z.input<typeof updateApiKeyInput>): Promise<ApiKey> {
  const input = parseInput(updateApiKeyInput, raw);
  if (input.role != null && input.customRoleId != null) throw badInput('Give either a built-in role or a roleId, not both', 'roleId');
  if (input.scopes === null) throw badInput('scopes cannot be removed; give [] for everything the role allows', 'scopes');
  return caller.run(
    async (scope) => {
      const key = await scope.tx.apiKey.findUnique({ where: { id: input.id } });
      if (!key) throw notFound('API key', 'id');
      if (input.id === scope.session.apiKeyId) throw badInput('An API key cannot change its own role or scopes; use another ADMIN key', 'id');
      if (key.revokedAt) throw badInput('This API key is revoked', 'id');
      if (input.customRoleId) {
        const role = await scope.tx.customRole.findUnique({ where: { id: input.customRoleId }, select: { grants: true } });
        if (!role) throw notFound('Role', 'roleId');
        if (keepsOwnRecords(role.grants as unknown as RoleGrants) && !key.userId) {
          throw badInput('This role keeps only its own records: the key must be linked to a team member', 'roleId');
        }
      }
      const roleChange =
        input.customRoleId != null ? { role: 'READ_ONLY' as Role, customRoleId: input.customRoleId } : input.role != null ? { role: input.role as Role, customRoleId: null } : {};
      const updated = await scope.tx.apiKey.update({
        where: { id: input.id },
        data: { ...roleChange, ...(input.scopes ? { scopes: input.scopes } : {}) },
      });
      const changed = [...(input.role != null || input.customRoleId != null ? ['role'] : []), ...(input.scopes ? ['scopes'] : [])];
      scope.emit('apikey.updated', { type: 'ApiKey', id: key.id }, { changed });
      return updated;
    },
    { role: 'ADMIN' },
  );
}

/** Revokes a key for good. Revoking the key making the call is refused, so a workspace cannot lock itself out by accident. */
export async function revokeApiKey(caller: Caller, raw: { id: string }): Promise<ApiKey> {
  const { id } = parseInput(z.object({ id: fields.id }), raw);
  return caller.run(
    async (scope) => {
      const key = await scope.tx.apiKey.findUnique({ where: { id } });
      if (!key) throw notFound('API key', 'id');
      if (id === scope.session.apiKeyId) throw badInput('An API key cannot revoke itself; use another ADMIN key', 'id');
      if (key.revokedAt) return key;
      const revoked = await scope.tx.apiKey.update({ where: { id }, data: { revokedAt: new Date() } });
      scope.emit('apikey.revoked', { type: 'ApiKey', id }, { name: key.name });
      return revoked;
    },
    { role: 'ADMIN' },
  );
}
