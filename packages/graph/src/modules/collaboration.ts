import type { Builder } from '../builder.js';
import { callerOf } from '../caller.js';
import { rowId } from '../ids.js';
import { registerCollaborationMutations } from './collaboration-mutations.js';
import type { Enums } from './enums.js';

/** Collaborative CRM: the interaction timeline and the team's tasks. */
export function registerCollaboration(builder: Builder, enums: Enums) {
  builder.prismaNode('Activity', {
    id: { field: 'id' },
    description: 'One interaction with a customer on any channel, or a note.',
    fields: (t) => ({
      type: t.expose('type', { type: enums.ActivityType }),
      channel: t.expose('channel', { type: enums.Channel }),
      direction: t.expose('direction', { type: enums.Direction, nullable: true }),
      subject: t.exposeString('subject'),
      body: t.exposeString('body', { nullable: true }),
      occurredAt: t.expose('occurredAt', { type: 'DateTime' }),
      createdAt: t.expose('createdAt', { type: 'DateTime' }),
      customer: t.relation('customer'),
      deal: t.relation('deal', { nullable: true }),
      ticket: t.relation('ticket', { nullable: true }),
    }),
  });

  builder.prismaNode('Task', {
    id: { field: 'id' },
    fields: (t) => ({
      title: t.exposeString('title'),
      notes: t.exposeString('notes', { nullable: true }),
      status: t.expose('status', { type: enums.TaskStatus }),
      dueAt: t.expose('dueAt', { type: 'DateTime', nullable: true }),
      completedAt: t.expose('completedAt', { type: 'DateTime', nullable: true }),
      createdAt: t.expose('createdAt', { type: 'DateTime' }),
      updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
      assignee: t.relation('assignee', { nullable: true }),
      customer: t.relation('customer', { nullable: true }),
      deal: t.relation('deal', { nullable: true }),
    }),
  });

  builder.queryFields((t) => ({
    activities: t.prismaConnection({
      type: 'Activity',
      cursor: 'id',
      authScopes: { authenticated: true },
      description: 'The workspace-wide timeline, newest first.',
      args: { channel: t.arg({ type: [enums.Channel] }), type: t.arg({ type: [enums.ActivityType] }) },
      resolve: (query, _root, args, ctx) =>
        callerOf(ctx).db.activity.findMany({ ...query, where: activityWhere(args), orderBy: [{ occurredAt: 'desc' }, { id: 'desc' }] }),
      totalCount: (_c, args, ctx) => callerOf(ctx).db.activity.count({ where: activityWhere(args) }),
    }),
    tasks: t.prismaConnection({
      type: 'Task',
      cursor: 'id',
      authScopes: { authenticated: true },
      args: { status: t.arg({ type: enums.TaskStatus }), assigneeId: t.arg.id() },
      resolve: (query, _root, args, ctx) =>
        callerOf(ctx).db.task.findMany({ ...query, where: taskWhere(args), orderBy: [{ dueAt: { sort: 'asc', nulls: 'last' } }, { id: 'asc' }] }),
      totalCount: (_c, args, ctx) => callerOf(ctx).db.task.count({ where: taskWhere(args) }),
    }),
  }));

  registerCollaborationMutations(builder, enums);
}

type ChannelValue = 'WEB' | 'PHONE' | 'CHAT' | 'EMAIL' | 'SOCIAL' | 'IN_PERSON';
type ActivityTypeValue = 'CALL' | 'EMAIL' | 'MEETING' | 'CHAT' | 'NOTE' | 'VISIT' | 'SOCIAL_POST' | 'WEB_VISIT';

function activityWhere(args: { channel?: ChannelValue[] | null; type?: ActivityTypeValue[] | null }) {
  return {
    ...(args.channel?.length ? { channel: { in: args.channel } } : {}),
    ...(args.type?.length ? { type: { in: args.type } } : {}),
  };
}

function taskWhere(args: { status?: 'OPEN' | 'DONE' | 'CANCELLED' | null; assigneeId?: string | null }) {
  return {
    ...(args.status ? { status: args.status } : {}),
    ...(args.assigneeId ? { assigneeId: rowId(args.assigneeId, 'User', 'assigneeId') } : {}),
  };
}
