import type { Builder } from '../builder.js';
import { orderedBy } from '../relation-order.js';
import { callerOf } from '../caller.js';
import { rowId } from '../ids.js';
import type { Enums } from './enums.js';
import { registerSatisfaction } from './satisfaction.js';
import { registerServiceMutations } from './service-mutations.js';

/** Customer service: tickets and satisfaction survey answers. */
export function registerService(builder: Builder, enums: Enums) {
  const TicketNode = builder.prismaNode('Ticket', {
    id: { field: 'id' },
    description: 'A customer service case.',
    fields: (t) => ({
      subject: t.exposeString('subject'),
      description: t.exposeString('description', { nullable: true }),
      status: t.expose('status', { type: enums.TicketStatus }),
      priority: t.expose('priority', { type: enums.TicketPriority }),
      channel: t.expose('channel', { type: enums.Channel, nullable: true }),
      satisfactionRating: t.exposeInt('satisfactionRating', { nullable: true, description: 'CSAT 1-5 given at closing.' }),
      closedAt: t.expose('closedAt', { type: 'DateTime', nullable: true }),
      createdAt: t.expose('createdAt', { type: 'DateTime' }),
      updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
      customer: t.relation('customer'),
      assignee: t.relation('assignee', { nullable: true }),
      activities: t.relatedConnection('activities', { cursor: 'id', totalCount: true, ...orderedBy({ occurredAt: 'desc' }, { id: 'desc' }) }),
      surveyResponses: t.relatedConnection('surveyResponses', {
        cursor: 'id',
        totalCount: true,
        description: 'Survey answers about this case (the CSAT rating given at closing among them), newest first.',
        ...orderedBy({ respondedAt: 'desc' }, { id: 'desc' }),
      }),
    }),
  });

  const SurveyResponseNode = builder.prismaNode('SurveyResponse', {
    id: { field: 'id' },
    description: 'A satisfaction answer: CSAT 1-5 or NPS 0-10.',
    fields: (t) => ({
      kind: t.expose('kind', { type: enums.SurveyKind }),
      score: t.exposeInt('score'),
      comment: t.exposeString('comment', { nullable: true }),
      respondedAt: t.expose('respondedAt', { type: 'DateTime' }),
      customer: t.relation('customer'),
      ticket: t.relation('ticket', { nullable: true }),
    }),
  });

  builder.queryFields((t) => ({
    ticket: t.prismaField({
      type: 'Ticket',
      nullable: true,
      authScopes: { authenticated: true },
      args: { id: t.arg.id({ required: true }) },
      resolve: (query, _root, args, ctx) => callerOf(ctx).db.ticket.findUnique({ ...query, where: { id: rowId(args.id, 'Ticket', 'id') } }),
    }),
    tickets: t.prismaConnection({
      type: 'Ticket',
      cursor: 'id',
      authScopes: { authenticated: true },
      args: { status: t.arg({ type: [enums.TicketStatus] }), priority: t.arg({ type: [enums.TicketPriority] }), assigneeId: t.arg.id() },
      resolve: (query, _root, args, ctx) =>
        callerOf(ctx).db.ticket.findMany({ ...query, where: ticketWhere(args), orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] }),
      totalCount: (_c, args, ctx) => callerOf(ctx).db.ticket.count({ where: ticketWhere(args) }),
    }),
  }));

  registerServiceMutations(builder, enums, { Ticket: TicketNode, SurveyResponse: SurveyResponseNode });
  registerSatisfaction(builder);
}

type Status = 'OPEN' | 'PENDING' | 'RESOLVED' | 'CLOSED';
type Priority = 'LOW' | 'NORMAL' | 'HIGH' | 'URGENT';

function ticketWhere(args: { status?: Status[] | null; priority?: Priority[] | null; assigneeId?: string | null }) {
  return {
    ...(args.status?.length ? { status: { in: args.status } } : {}),
    ...(args.priority?.length ? { priority: { in: args.priority } } : {}),
    ...(args.assigneeId ? { assigneeId: rowId(args.assigneeId, 'User', 'assigneeId') } : {}),
  };
}
