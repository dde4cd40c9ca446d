import { defineObject } from '../declaration.js';

export const Activity = defineObject({
  name: 'Activity',
  plural: 'activities',
  description: 'One interaction with a customer on any channel, or a note.',
  fields: {
    id: { kind: 'id', sort: true },
    type: { kind: 'enum', enum: 'ActivityType', sort: true, group: true, write: 'create' },
    channel: { kind: 'enum', enum: 'Channel', sort: true, group: true, write: 'create' },
    direction: { kind: 'enum', enum: 'Direction', nullable: true, group: true, write: 'create' },
    subject: { kind: 'string', sort: true, search: 'A', write: 'create' },
    body: { kind: 'string', nullable: true, search: 'C', write: 'create' },
    occurredAt: { kind: 'datetime', sort: true, group: true, write: 'create' },
    createdAt: { kind: 'datetime', sort: true },
    customerId: { kind: 'reference', references: 'Customer', group: true, write: 'create' },
    dealId: { kind: 'reference', references: 'Deal', nullable: true, group: true, write: 'create' },
    ticketId: { kind: 'reference', references: 'Ticket', nullable: true, write: 'create' },
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
  plural: 'tasks',
  fields: {
    id: { kind: 'id', sort: true },
    title: { kind: 'string', sort: true, search: 'A', write: true },
    notes: { kind: 'string', nullable: true, search: 'C', write: true },
    status: { kind: 'enum', enum: 'TaskStatus', sort: true, group: true, write: 'update' },
    dueAt: { kind: 'datetime', nullable: true, sort: true, group: true, write: true },
    completedAt: { kind: 'datetime', nullable: true, sort: true },
    assigneeId: { kind: 'reference', references: 'User', nullable: true, group: true, write: true },
    customerId: { kind: 'reference', references: 'Customer', nullable: true, write: 'create' },
    dealId: { kind: 'reference', references: 'Deal', nullable: true, write: 'create' },
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
