import type { CustomRole } from '@crm/db';
import type { Caller } from '../command.js';
import { badInput, conflict, notFound } from '../errors.js';
import type { RoleGrants } from '../permissions/role-grants.js';
import { fields, parseInput, z } from '../validation.js';

// Custom roles of a workspace: ADMIN keys only. Grants arrive checked against the schema's catalog
// (`checkRoleGrants`, called where the catalog is known: the GraphQL layer).

const builtInNames = new Set(['ADMIN', 'MEMBER', 'READ_ONLY']);
const roleName = fields.name.refine((name) => !builtInNames.has(name.trim().toUpperCase()), 'is the name of a built-in role');

const createRoleInput = z.object({ name: roleName, description: z.string().max(1000).nullish() });
const updateRoleInput = z.object({ id: fields.id, name: roleName.nullish(), description: z.string().max(1000).nullish() });

export async function createRole(caller: Caller, raw: z.input<typeof createRoleInput>, grants: RoleGrants): Promise<CustomRole> {
  const input = parseInput(createRoleInput, raw);
  return caller.run(
    async (scope) => {
      const role = await scope.tx.customRole.create({
        data: { workspaceId: scope.session.workspaceId, name: input.name, description: input.description ?? null, grants: grants as object },
      });
      scope.emit('role.created', { type: 'CustomRole', id: role.id }, { name: role.name });
      return role;
    },
    { role: 'ADMIN' },
  );
}

/** Changes a role; its keys get the new permissions at once, over HTTP and on live connections (`role.updated`). */
export async function updateRole(caller: Caller, raw: z.input<typeof updateRoleInput>, grants: RoleGrants | null): Promise<CustomRole> {
  const input = parseInput(updateRoleInput, raw);
  return caller.run(
    async (scope) => {
      if (!(await scope.tx.customRole.findUnique({ where: { id: input.id }, select: { id: true } }))) throw notFound('Role', 'id');
      if (input.name === null) throw badInput('name cannot be removed', 'name');
      const role = await scope.tx.customRole.update({
        where: { id: input.id },
        data: { name: input.name ?? undefined, description: input.description, ...(grants ? { grants: grants as object } : {}) },
      });
      const changed = [...(input.name != null ? ['name'] : []), ...(input.description !== undefined ? ['description'] : []), ...(grants ? ['permissions'] : [])];
      scope.emit('role.updated', { type: 'CustomRole', id: role.id }, { changed });
      return role;
    },
    { role: 'ADMIN' },
  );
}

/**
 * Deletes a role. A role working keys still have is refused (CONFLICT: move them with `updateApiKey` or revoke them
 * first), unless `revokeKeys` is set: those keys are then revoked in the same transaction (`apikey.revoked` each, so
 * their live sessions end with 4403 on every instance). A role webhooks deliver as is refused (CONFLICT) either way:
 * give those webhooks another role first, so no payload is ever sent under a role that no longer exists.
 */
export async function deleteRole(caller: Caller, raw: { id: string; revokeKeys?: boolean | null }): Promise<CustomRole> {
  const { id, revokeKeys } = parseInput(z.object({ id: fields.id, revokeKeys: z.boolean().nullish() }), raw);
  return caller.run(
    async (scope) => {
      const role = await scope.tx.customRole.findUnique({ where: { id } });
      if (!role) throw notFound('Role', 'id');
      const webhooks = await scope.tx.webhook.count({ where: { customRoleId: id } });
      if (webhooks) throw conflict(`${webhooks} webhook(s) deliver as this role; give them another role first`, 'id');
      const working = await scope.tx.apiKey.findMany({ where: { customRoleId: id, revokedAt: null }, select: { id: true, name: true } });
      if (working.length && !revokeKeys) {
        throw conflict(`${working.length} API key(s) still have this role; move them to another role or revoke them first (or delete with revokeKeys)`, 'id');
      }
      if (working.length) {
        await scope.tx.apiKey.updateMany({ where: { id: { in: working.map((key) => key.id) } }, data: { revokedAt: new Date() } });
        for (const key of working) scope.emit('apikey.revoked', { type: 'ApiKey', id: key.id }, { name: key.name });
      }
      // Revoked keys keep their row for the record; they never open a session again, so they may forget the role.
      await scope.tx.apiKey.updateMany({ where: { customRoleId: id }, data: { customRoleId: null } });
      await scope.tx.customRole.delete({ where: { id } });
      scope.emit('role.deleted', { type: 'CustomRole', id }, { name: role.name });
      return role;
    },
    { role: 'ADMIN' },
  );
}
