import { defineObject } from '../declaration.js';

export const Ticket = defineObject({
  name: 'Ticket',
  plural: 'tickets',
  single: 'ticket',
  description: 'A customer service case.',
  fields: {
    id: { kind: 'id', sort: true },
    subject: { kind: 'string', sort: true, search: 'A', write: true },
    description: { kind: 'string', nullable: true, search: 'C', write: true },
    status: { kind: 'enum', enum: 'TicketStatus', sort: true, group: true, write: 'update' },
    priority: { kind: 'enum', enum: 'TicketPriority', sort: true, group: true, write: true },
    channel: { kind: 'enum', enum: 'Channel', nullable: true, group: true, write: 'create' },
    satisfactionRating: { kind: 'int', nullable: true, sort: true, description: 'CSAT 1-5 given at closing.', write: 'update' },
    closedAt: { kind: 'datetime', nullable: true, sort: true, group: true },
    customerId: { kind: 'reference', references: 'Customer', group: true, write: 'create' },
    assigneeId: { kind: 'reference', references: 'User', nullable: true, group: true, write: true },
    createdAt: { kind: 'datetime', sort: true, group: true },
    updatedAt: { kind: 'datetime', sort: true },
  },
  relations: {
    customer: { kind: 'toOne', target: 'Customer', key: 'customerId' },
    assignee: { kind: 'toOne', target: 'User', key: 'assigneeId' },
    activities: { kind: 'toMany', target: 'Activity', key: 'ticketId' },
    surveyResponses: {
      kind: 'toMany',
      target: 'SurveyResponse',
      key: 'ticketId',
      description: 'Survey answers about this case (the CSAT rating given at closing among them), newest first.',
    },
  },
  defaultOrder: [{ field: 'createdAt', direction: 'desc' }],
});

export const SurveyResponse = defineObject({
  name: 'SurveyResponse',
  plural: 'surveyResponses',
  description: 'A satisfaction answer: CSAT 1-5 or NPS 0-10.',
  fields: {
    id: { kind: 'id', sort: true },
    kind: { kind: 'enum', enum: 'SurveyKind', group: true },
    score: { kind: 'int', sort: true, group: true },
    comment: { kind: 'string', nullable: true, search: 'B' },
    respondedAt: { kind: 'datetime', sort: true, group: true },
    customerId: { kind: 'reference', references: 'Customer', group: true },
    ticketId: { kind: 'reference', references: 'Ticket', nullable: true },
  },
  relations: {
    customer: { kind: 'toOne', target: 'Customer', key: 'customerId' },
    ticket: { kind: 'toOne', target: 'Ticket', key: 'ticketId' },
  },
  defaultOrder: [{ field: 'respondedAt', direction: 'desc' }],
});
