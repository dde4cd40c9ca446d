import { checkScopes, createApiKey, createUser, type ObjectCatalog, revokeApiKey, updateApiKey, updateUser } from '@crm/core';
import type { ApiKey, CustomRole } from '@crm/db';
import type { Builder } from '../builder.js';
import { callerOf } from '../caller.js';
import { optionalRowId, rowId } from '../ids.js';
import { cursorInWorkspace } from '../objects/cursor-in-workspace.js';
import { payloadType } from '../payload.js';
import type { Enums } from './enums.js';
import { customView, type registerRoles } from './roles.js';

/** Team members and API keys, for ADMIN keys. A key's secret is shown once, in createApiKey's payload. */
export function registerAccess(builder: Builder, enums: Enums, roleRef: ReturnType<typeof registerRoles>, catalog: ObjectCatalog) {
  const ApiKeyRef = builder.prismaNode('ApiKey', {
    id: { field: 'id' },
    authScopes: { admin: true },
    fields: (t) => ({
      name: t.exposeString('name'),
      prefix: t.exposeString('prefix', { description: 'The non-secret part, to recognise the key in lists and logs.' }),
      role: t.expose('role', { type: enums.Role, description: 'The built-in role; with `customRole` set, that role decides instead (and this reads READ_ONLY).' }),
      customRole: t.field({
        type: roleRef,
        nullable: true,
        select: { customRole: true },
        resolve: (key) => ((key as ApiKey & { customRole?: CustomRole | null }).customRole ? customView((key as ApiKey & { customRole: CustomRole }).customRole, catalog) : null),
      }),
      scopes: t.exposeStringList('scopes', { description: 'Narrower scopes (`deals:read`, `customers:write`); empty: everything the role allows.' }),
      user: t.relation('user', { nullable: true }),
      createdAt: t.expose('createdAt', { type: 'DateTime' }),
      lastUsedAt: t.expose('lastUsedAt', { type: 'DateTime', nullable: true }),
      revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
      expiresAt: t.expose('expiresAt', { type: 'DateTime', nullable: true, description: 'When the key stops working; null: never.' }),
    }),
  });

  builder.queryFields((t) => ({
    apiKeys: t.prismaConnection({
      type: 'ApiKey',
      cursor: 'id',
      authScopes: { admin: true },
      args: { includeRevoked: t.arg.boolean({ defaultValue: false }) },
      resolve: async (query, _root, args, ctx) =>
        callerOf(ctx).db.apiKey.findMany({
          ...(await cursorInWorkspace(query, args, (id) => callerOf(ctx).db.apiKey.findFirst({ where: { id }, select: { id: true } }))),
          where: args.includeRevoked ? {} : { revokedAt: null },
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        }),
      totalCount: (_c, args, ctx) => callerOf(ctx).db.apiKey.count({ where: args.includeRevoked ? {} : { revokedAt: null } }),
    }),
  }));

  const CreateUserInput = builder.inputType('CreateUserInput', {
    fields: (t) => ({ name: t.string({ required: true }), email: t.string({ required: true }), role: t.field({ type: enums.Role }) }),
  });
  const UpdateUserInput = builder.inputType('UpdateUserInput', {
    fields: (t) => ({
      id: t.id({ required: true }),
      name: t.string(),
      email: t.string(),
      role: t.field({ type: enums.Role }),
      active: t.boolean({ description: 'False keeps the member in history but out of assignment lists.' }),
    }),
  });
  const CreateApiKeyInput = builder.inputType('CreateApiKeyInput', {
    fields: (t) => ({
      name: t.string({ required: true }),
      role: t.field({ type: enums.Role, description: 'A built-in role; give this or `roleId`.' }),
      roleId: t.id({ description: 'A custom role of the workspace (`roles`); give this or `role`.' }),
      scopes: t.stringList({ description: 'Narrows the role: `<objects>:read` or `<objects>:write` (e.g. `deals:read`); unset: everything the role allows.' }),
      userId: t.id({ description: 'The team member the key belongs to: it acts as them, and stops working when they are deactivated.' }),
      expiresAt: t.field({ type: 'DateTime', description: 'When the key stops working (live connections included); unset: never.' }),
    }),
  });
  const UpdateApiKeyInput = builder.inputType('UpdateApiKeyInput', {
    description: 'Moves a key to another role and/or replaces its scopes; its live connections follow at once.',
    fields: (t) => ({
      id: t.id({ required: true }),
      role: t.field({ type: enums.Role, description: 'A built-in role (the key leaves its custom role); or give `roleId`.' }),
      roleId: t.id({ description: 'A custom role of the workspace (`roles`); or give `role`.' }),
      scopes: t.stringList({ description: 'Replaces the scopes: `<objects>:read` or `<objects>:write`; [] for everything the role allows.' }),
    }),
  });
  const RevokeApiKeyInput = builder.inputType('RevokeApiKeyInput', { fields: (t) => ({ id: t.id({ required: true }) }) });

  const CreateApiKeyPayload = builder.objectRef<{ key: ApiKey; secret: string }>('CreateApiKeyPayload').implement({
    fields: (t) => ({
      apiKey: t.field({ type: ApiKeyRef, resolve: (p) => p.key }),
      secret: t.exposeString('secret', { description: 'The whole key, for `Authorization: Bearer …`. Shown only here, once.' }),
    }),
  });

  builder.mutationFields((t) => ({
    createUser: t.field({
      type: payloadType(builder, 'CreateUserPayload', 'user', 'User'),
      args: { input: t.arg({ type: CreateUserInput, required: true }) },
      resolve: async (_root, { input }, ctx) => ({ user: await createUser(callerOf(ctx), input) }),
    }),
    updateUser: t.field({
      type: payloadType(builder, 'UpdateUserPayload', 'user', 'User'),
      args: { input: t.arg({ type: UpdateUserInput, required: true }) },
      resolve: async (_root, { input }, ctx) => ({ user: await updateUser(callerOf(ctx), { ...input, id: rowId(input.id, 'User', 'id') }) }),
    }),
    createApiKey: t.field({
      type: CreateApiKeyPayload,
      args: { input: t.arg({ type: CreateApiKeyInput, required: true }) },
      resolve: async (_root, { input }, ctx) => {
        const { key, issued } = await createApiKey(callerOf(ctx), {
          name: input.name,
          role: input.role,
          customRoleId: optionalRowId(input.roleId, 'CustomRole', 'roleId'),
          scopes: input.scopes ? checkScopes(catalog, input.scopes) : [],
          userId: optionalRowId(input.userId, 'User', 'userId'),
          expiresAt: input.expiresAt,
        });
        return { key, secret: issued.apiKey };
      },
    }),
    updateApiKey: t.field({
      type: payloadType(builder, 'UpdateApiKeyPayload', 'apiKey', 'ApiKey'),
      args: { input: t.arg({ type: UpdateApiKeyInput, required: true }) },
      resolve: async (_root, { input }, ctx) => ({
        apiKey: await updateApiKey(callerOf(ctx), {
          id: rowId(input.id, 'ApiKey', 'id'),
          role: input.role,
          customRoleId: optionalRowId(input.roleId, 'CustomRole', 'roleId'),
          scopes: input.scopes ? checkScopes(catalog, input.scopes) : input.scopes,
        }),
      }),
    }),
    revokeApiKey: t.field({
      type: payloadType(builder, 'RevokeApiKeyPayload', 'apiKey', 'ApiKey'),
      args: { input: t.arg({ type: RevokeApiKeyInput, required: true }) },
      resolve: async (_root, { input }, ctx) => ({ apiKey: await revokeApiKey(callerOf(ctx), { id: rowId(input.id, 'ApiKey', 'id') }) }),
    }),
  }));
}
