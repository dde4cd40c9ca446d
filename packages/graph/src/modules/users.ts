import type { Builder } from '../builder.js';
import { callerOf } from '../caller.js';
import type { DeclaredObjects } from '../objects/declared-objects.js';
import type { Enums } from './enums.js';

/** Team members (owners, assignees) and the caller's own identity. */
export function registerUsers(builder: Builder, enums: Enums, objects: DeclaredObjects) {
  objects.register('User');

  builder.prismaObject('Workspace', {
    fields: (t) => ({
      id: t.exposeID('id'),
      name: t.exposeString('name'),
      createdAt: t.expose('createdAt', { type: 'DateTime' }),
    }),
  });

  const Viewer = builder.objectRef<{ role: 'ADMIN' | 'MEMBER' | 'READ_ONLY'; actor: string }>('Viewer').implement({
    description: 'Who the API key belongs to.',
    fields: (t) => ({
      role: t.expose('role', { type: enums.Role }),
      actor: t.exposeString('actor'),
    }),
  });

  builder.queryFields((t) => ({
    viewer: t.field({
      type: Viewer,
      authScopes: { authenticated: true },
      resolve: (_root, _args, ctx) => ({ role: callerOf(ctx).session.role, actor: callerOf(ctx).session.actor }),
    }),
    workspace: t.prismaField({
      type: 'Workspace',
      authScopes: { authenticated: true },
      resolve: async (query, _root, _args, ctx) =>
        callerOf(ctx).db.workspace.findUniqueOrThrow({ ...query, where: { id: callerOf(ctx).session.workspaceId } }),
    }),
  }));
}
