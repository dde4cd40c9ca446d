import {
  checkRoleGrants,
  createRole,
  deleteRole,
  grantedField,
  isGoverned,
  type ObjectCatalog,
  type ObjectGrant,
  Permissions,
  type RoleGrants,
  updateRole,
} from '@crm/core';
import type { CustomRole, Role } from '@crm/db';
import type { Builder } from '../builder.js';
import { callerOf } from '../caller.js';
import { globalId, rowId } from '../ids.js';
import type { Enums } from './enums.js';

/** A role as the API shows it: a built-in one (derived from the declarations) or a workspace's custom one. */
export interface RoleView {
  id: string | null;
  builtIn: Role | null;
  name: string;
  description: string | null;
  permissions: (ObjectGrant & { object: string })[];
  pluginPermissions: readonly string[];
}

const builtInDescriptions: Record<Role, string> = {
  ADMIN: 'Everything, including team members, API keys, roles, webhooks and settings.',
  MEMBER: 'Reads and writes every record; no administration.',
  READ_ONLY: 'Reads every record; writes nothing.',
};

/** A built-in role's permissions, as its keys get them (the one `Permissions` decides them). */
function builtInView(catalog: ObjectCatalog, role: Role): RoleView {
  const permissions = Permissions.of({ workspaceId: '', role, actor: 'system' }, catalog);
  return {
    id: null,
    builtIn: role,
    name: role,
    description: builtInDescriptions[role],
    permissions: [...catalog.objects].filter(isGoverned).map((object) => ({
      object: object.name,
      read: permissions.can(object, 'read'),
      create: permissions.can(object, 'create'),
      update: permissions.can(object, 'update'),
      delete: permissions.can(object, 'delete'),
      ownRecordsOnly: false,
      hiddenFields: [...object.fields.values()].filter((f) => !permissions.canReadField(f)).map((f) => f.name),
      readOnlyFields: [],
    })),
    // A built-in role holds the plugin permissions each plugin lists it under (see `plugins { permissions }`).
    pluginPermissions: [],
  };
}

const builtInRoles = new WeakMap<ObjectCatalog, RoleView[]>();

/**
 * A custom role as the API shows it. Custom fields are stored by key (`customFields.<key>`) and shown by their current
 * name where the schema's catalog (the workspace's) knows them.
 */
export function customView(role: CustomRole, catalog?: ObjectCatalog): RoleView {
  const grants = role.grants as unknown as RoleGrants;
  const named = (object: string, names: readonly string[]) => {
    const resolved = catalog?.has(object) ? catalog.get(object) : null;
    return names.map((name) => (resolved && grantedField(resolved, name)?.name) || name);
  };
  return {
    id: globalId('CustomRole', role.id),
    builtIn: null,
    name: role.name,
    description: role.description,
    permissions: Object.entries(grants.objects).map(([object, grant]) => ({
      object,
      ...grant,
      hiddenFields: named(object, grant.hiddenFields),
      readOnlyFields: named(object, grant.readOnlyFields),
    })),
    pluginPermissions: grants.plugins,
  };
}

/**
 * Roles and permissions (docs/security.md): the built-in roles and the workspace's custom ones, which ADMIN keys
 * define per object (read/create/update/delete, own records only) and per field (hidden, read-only).
 */
export function registerRoles(builder: Builder, enums: Enums, catalog: ObjectCatalog) {
  const ObjectPermission = builder.objectRef<ObjectGrant & { object: string }>('ObjectPermission').implement({
    description: 'What a role may do with one object. Objects a custom role does not name are closed to it.',
    fields: (t) => ({
      object: t.exposeString('object', { description: 'The object type name (core, plugin or custom object).' }),
      read: t.exposeBoolean('read'),
      create: t.exposeBoolean('create'),
      update: t.exposeBoolean('update'),
      delete: t.exposeBoolean('delete'),
      ownRecordsOnly: t.exposeBoolean('ownRecordsOnly', { description: 'Only rows whose owner (or assignee) is the key’s user.' }),
      hiddenFields: t.exposeStringList('hiddenFields', { description: 'Read as null everywhere; filtering, sorting, grouping or aggregating on them is refused.' }),
      readOnlyFields: t.exposeStringList('readOnlyFields'),
    }),
  });
  const WorkspaceRole = builder.objectRef<RoleView>('WorkspaceRole').implement({
    description: 'A role an API key can carry: a built-in one (`builtIn` set) or one of the workspace’s custom roles (`id` set).',
    fields: (t) => ({
      id: t.id({ nullable: true, description: 'A custom role’s id (for `createApiKey(roleId)`); null for a built-in role.', resolve: (r) => r.id }),
      builtIn: t.field({ type: enums.Role, nullable: true, description: 'The built-in role (for `createApiKey(role)`); null for a custom role.', resolve: (r) => r.builtIn }),
      name: t.exposeString('name'),
      description: t.exposeString('description', { nullable: true }),
      permissions: t.field({ type: [ObjectPermission], resolve: (r) => r.permissions }),
      pluginPermissions: t.stringList({
        description: 'Plugins’ declared permissions the custom role holds (`<pluginId>.<permission>`, e.g. `gift-cards.redeem`); built-in roles hold those their plugins list them under.',
        resolve: (r) => [...r.pluginPermissions],
      }),
    }),
  });

  const ObjectPermissionInput = builder.inputType('ObjectPermissionInput', {
    fields: (t) => ({
      object: t.string({ required: true }),
      read: t.boolean({ defaultValue: false }),
      create: t.boolean({ defaultValue: false }),
      update: t.boolean({ defaultValue: false }),
      delete: t.boolean({ defaultValue: false }),
      ownRecordsOnly: t.boolean({ defaultValue: false }),
      hiddenFields: t.stringList({ defaultValue: [] }),
      readOnlyFields: t.stringList({ defaultValue: [] }),
    }),
  });
  type PermissionInput = { object: string; read?: boolean | null; create?: boolean | null; update?: boolean | null; delete?: boolean | null; ownRecordsOnly?: boolean | null; hiddenFields?: readonly string[] | null; readOnlyFields?: readonly string[] | null };
  const grantsOf = (entries: readonly PermissionInput[], plugins: readonly string[] | null | undefined) =>
    checkRoleGrants(
      catalog,
      entries.map((e) => ({
        object: e.object,
        read: e.read ?? false,
        create: e.create ?? false,
        update: e.update ?? false,
        delete: e.delete ?? false,
        ownRecordsOnly: e.ownRecordsOnly ?? false,
        hiddenFields: e.hiddenFields ?? [],
        readOnlyFields: e.readOnlyFields ?? [],
      })),
      plugins ?? [],
    );
  const CreateRoleInput = builder.inputType('CreateRoleInput', {
    fields: (t) => ({
      name: t.string({ required: true }),
      description: t.string(),
      permissions: t.field({ type: [ObjectPermissionInput], required: true }),
      pluginPermissions: t.stringList({ description: 'Plugins’ declared permissions, as `<pluginId>.<permission>`.' }),
    }),
  });
  const UpdateRoleInput = builder.inputType('UpdateRoleInput', {
    fields: (t) => ({
      id: t.id({ required: true }),
      name: t.string(),
      description: t.string(),
      permissions: t.field({ type: [ObjectPermissionInput], description: 'Replaces every object permission of the role.' }),
      pluginPermissions: t.stringList({ description: 'Replaces the plugin permissions the role holds.' }),
    }),
  });
  const DeleteRoleInput = builder.inputType('DeleteRoleInput', {
    fields: (t) => ({
      id: t.id({ required: true }),
      revokeKeys: t.boolean({
        defaultValue: false,
        description: 'Also revoke the working keys that have this role (their live connections end with 4403); without it a role in use is refused (CONFLICT).',
      }),
    }),
  });
  const RolePayload = (name: string) =>
    builder.objectRef<{ role: RoleView }>(name).implement({ fields: (t) => ({ role: t.field({ type: WorkspaceRole, resolve: (p) => p.role }) }) });

  builder.queryFields((t) => ({
    roles: t.field({
      type: [WorkspaceRole],
      authScopes: { admin: true },
      description: 'The built-in roles, then the workspace’s custom roles by name.',
      resolve: async (_root, _args, ctx) => {
        let builtIn = builtInRoles.get(catalog);
        if (!builtIn) builtInRoles.set(catalog, (builtIn = (['ADMIN', 'MEMBER', 'READ_ONLY'] as const).map((role) => builtInView(catalog, role))));
        const custom = await callerOf(ctx).db.customRole.findMany({ orderBy: [{ name: 'asc' }, { id: 'asc' }] });
        return [...builtIn, ...custom.map((role) => customView(role, catalog))];
      },
    }),
  }));

  builder.mutationFields((t) => ({
    createRole: t.field({
      type: RolePayload('CreateRolePayload'),
      args: { input: t.arg({ type: CreateRoleInput, required: true }) },
      resolve: async (_root, { input }, ctx) => ({ role: customView(await createRole(callerOf(ctx), input, grantsOf(input.permissions, input.pluginPermissions)), catalog) }),
    }),
    updateRole: t.field({
      type: RolePayload('UpdateRolePayload'),
      args: { input: t.arg({ type: UpdateRoleInput, required: true }) },
      resolve: async (_root, { input }, ctx) => {
        const id = rowId(input.id, 'CustomRole', 'id');
        const current = input.permissions && input.pluginPermissions ? null : await callerOf(ctx).db.customRole.findUnique({ where: { id } });
        const stored = current ? customView(current, catalog) : null;
        // What is not given stays: object permissions and plugin permissions are replaced separately.
        const grants =
          input.permissions || input.pluginPermissions
            ? grantsOf(input.permissions ?? stored?.permissions ?? [], input.pluginPermissions ?? stored?.pluginPermissions ?? [])
            : null;
        return { role: customView(await updateRole(callerOf(ctx), { id, name: input.name, description: input.description }, grants), catalog) };
      },
    }),
    deleteRole: t.field({
      type: RolePayload('DeleteRolePayload'),
      args: { input: t.arg({ type: DeleteRoleInput, required: true }) },
      resolve: async (_root, { input }, ctx) => ({ role: customView(await deleteRole(callerOf(ctx), { id: rowId(input.id, 'CustomRole', 'id'), revokeKeys: input.revokeKeys }), catalog) }),
    }),
  }));
  return WorkspaceRole;
}
