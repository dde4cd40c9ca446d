import { defineObject } from '../declaration.js';

export const Activity = defineObject({
  name: 'Activity',
  plural: 'activities',
  description: 'One interaction with a customer on any channel, or a note.',
  fields: {
    id: { kind: 'id', sort: true },
    type: { kind: 'enum', enum: 'ActivityType', sort: true, group: true },
    channel: { kind: 'enum', enum: 'Channel', sort: true, group: true },
    direction: { kind: 'enum', enum: 'Direction', nullable: true, group: true },
    subject: { kind: 'string', sort: true, search: 'A' },
    body: { kind: 'string', nullable: true, search: 'C' },
    occurredAt: { kind: 'datetime', sort: true, group: true },
    createdAt: { kind: 'datetime', sort: true },
    customerId: { kind: 'reference', references: 'Customer', group: true },
    dealId: { kind: 'reference', references: 'Deal', nullable: true, group: true },
    ticketId: { kind: 'reference', references: 'Ticket', nullable: true },
  },
  relations: {
    customer: { kind: 'toOne', target: 'Customer', key: 'customerId' },
    deal: { kind: 'toOne', target: 'Deal', key: 'dealId' },
    ticket: { kind: 'toOne', target: 'Ticket', key: 'ticketId' },
  },
  defaultOrder: [{ field: 'occurredAt', direction: 'desc' }],
});

export const Task = defineObject({
  name: 'Task',
  owner: 'assigneeId',
  plural: 'tasks',
  fields: {
    id: { kind: 'id', sort: true },
    title: { kind: 'string', sort: true, search: 'A' },
    notes: { kind: 'string', nullable: true, search: 'C' },
    status: { kind: 'enum', enum: 'TaskStatus', sort: true, group: true },
    dueAt: { kind: 'datetime', nullable: true, sort: true, group: true },
    completedAt: { kind: 'datetime', nullable: true, sort: true },
    assigneeId: { kind: 'reference', references: 'User', nullable: true, group: true },
    customerId: { kind: 'reference', references: 'Customer', nullable: true },
    dealId: { kind: 'reference', references: 'Deal', nullable: true },
    createdAt: { kind: 'datetime', sort: true, group: true },
    updatedAt: { kind: 'datetime', sort: true },
  },
  relations: {
    assignee: { kind: 'toOne', target: 'User', key: 'assigneeId' },
    customer: { kind: 'toOne', target: 'Customer', key: 'customerId' },
    deal: { kind: 'toOne', target: 'Deal', key: 'dealId' },
  },
  defaultOrder: [{ field: 'dueAt', direction: 'asc', nulls: 'last' }],
});
