import { defineObject } from '../declaration.js';

export const Customer = defineObject({
  name: 'Customer',
  customFields: true,
  owner: 'ownerId',
  plural: 'customers',
  single: 'customer',
  segmentable: true,
  searchThrough: ['company'],
  description: 'A person who is, was or may become a customer. The 360-degree view hangs off it.',
  fields: {
    id: { kind: 'id', sort: true },
    name: { kind: 'string', sort: true, search: 'A', group: false, write: true },
    email: { kind: 'string', nullable: true, sort: true, search: 'A', write: true },
    phone: { kind: 'string', nullable: true, search: 'B', write: true },
    lifecycleStage: { kind: 'enum', enum: 'LifecycleStage', sort: true, group: true, write: true },
    stageChangedAt: { write: 'system', kind: 'datetime', sort: true },
    churnReason: { kind: 'string', nullable: true, write: true },
    source: { kind: 'enum', enum: 'Channel', nullable: true, group: true, write: true },
    tags: { kind: 'stringList', write: true },
    externalRef: { kind: 'string', nullable: true, write: true },
    attributes: { kind: 'json', write: true },
    annualWallet: { kind: 'decimal', nullable: true, sort: true, read: 'MEMBER', description: 'Estimated yearly spend in our category (an internal estimate: MEMBER and ADMIN keys read it).', write: true },
    lifetimeValue: { write: 'system', kind: 'decimal', sort: true, description: 'Sum of the customer’s orders.' },
    orderCount: { write: 'system', kind: 'int', sort: true },
    firstOrderAt: { write: 'system', kind: 'datetime', nullable: true, sort: true },
    lastOrderAt: { write: 'system', kind: 'datetime', nullable: true, sort: true, nulls: 'last' },
    predictedLifetimeValue: { write: 'system', kind: 'decimal', nullable: true, sort: true, nulls: 'last', expose: false, description: 'As of the latest lifetime-value fit.' },
    probabilityAlive: { write: 'system', kind: 'float', nullable: true, sort: true, nulls: 'last', expose: false, description: '0 to 1, as of the latest lifetime-value fit.' },
    companyId: { kind: 'reference', references: 'Company', nullable: true, group: true, write: true },
    ownerId: { kind: 'reference', references: 'User', nullable: true, group: true, write: true },
    createdAt: { kind: 'datetime', sort: true, group: true },
    updatedAt: { kind: 'datetime', sort: true },
  },
  relations: {
    company: { kind: 'toOne', target: 'Company', key: 'companyId' },
    owner: { kind: 'toOne', target: 'User', key: 'ownerId' },
    score: { kind: 'toOne', target: 'CustomerScore', key: 'customerId', keyOnTarget: true, expose: false },
    stageChanges: {
      kind: 'toMany',
      target: 'LifecycleChange',
      key: 'customerId',
      connection: false,
      graphqlName: 'stageHistory',
      description: 'Every lifecycle stage change, oldest first.',
    },
    activities: {
      kind: 'toMany',
      target: 'Activity',
      key: 'customerId',
      description: 'The timeline: interactions on every channel, newest first.',
    },
    orders: { kind: 'toMany', target: 'Order', key: 'customerId' },
    deals: { kind: 'toMany', target: 'Deal', key: 'customerId' },
    tickets: { kind: 'toMany', target: 'Ticket', key: 'customerId' },
    tasks: { kind: 'toMany', target: 'Task', key: 'customerId', order: [{ field: 'createdAt', direction: 'desc' }] },
    surveyResponses: { kind: 'toMany', target: 'SurveyResponse', key: 'customerId' },
    campaignResponses: { kind: 'toMany', target: 'CampaignResponse', key: 'customerId' },
  },
  uniqueKeys: [['email'], ['externalRef']],
  defaultOrder: [],
});

/** One lifecycle stage change of a customer (the funnel and time-in-stage figures read them). */
export const LifecycleChange = defineObject({
  name: 'LifecycleChange',
  node: false,
  fields: {
    id: { kind: 'id', sort: true, expose: false },
    fromStage: { kind: 'enum', enum: 'LifecycleStage', nullable: true, group: true },
    toStage: { kind: 'enum', enum: 'LifecycleStage', group: true },
    reason: { kind: 'string', nullable: true },
    actor: { kind: 'string', column: 'actorId', nullable: true },
    changedAt: { kind: 'datetime', sort: true, group: true },
    customerId: { kind: 'reference', references: 'Customer' },
  },
  defaultOrder: [{ field: 'changedAt', direction: 'asc' }],
});

/** The latest lifetime-value fit's figures of a customer: filterable through `Customer.score`, not an output type. */
export const CustomerScore = defineObject({
  name: 'CustomerScore',
  node: false,
  fields: {
    id: { kind: 'id', column: 'customerId', expose: false },
    customerId: { kind: 'reference', references: 'Customer' },
    rfmSegment: { kind: 'enum', enum: 'RfmSegment', group: true, description: 'The RFM segment on the recency × frequency grid.' },
    probabilityAlive: { kind: 'float', nullable: true, sort: true },
    predictedLifetimeValue: { kind: 'decimal', nullable: true, sort: true },
    expectedPurchases: { kind: 'float', sort: true },
  },
  defaultOrder: [],
});

export const Company = defineObject({
  name: 'Company',
  customFields: true,
  owner: 'ownerId',
  plural: 'companies',
  single: 'company',
  fields: {
    id: { kind: 'id', sort: true },
    name: { kind: 'string', sort: true, search: 'A', write: true },
    domain: { kind: 'string', nullable: true, sort: true, search: 'A', write: true },
    industry: { kind: 'string', nullable: true, sort: true, group: true, search: 'C', write: true },
    size: { kind: 'enum', enum: 'CompanySize', nullable: true, sort: true, group: true, write: true },
    annualWallet: { kind: 'decimal', nullable: true, sort: true, read: 'MEMBER', description: 'Estimated yearly spend in our category (an internal estimate: MEMBER and ADMIN keys read it).', write: true },
    ownerId: { kind: 'reference', references: 'User', nullable: true, group: true, write: true },
    createdAt: { kind: 'datetime', sort: true, group: true },
    updatedAt: { kind: 'datetime', sort: true },
  },
  relations: {
    owner: { kind: 'toOne', target: 'User', key: 'ownerId' },
    customers: { kind: 'toMany', target: 'Customer', key: 'companyId', order: [{ field: 'name', direction: 'asc' }] },
    deals: { kind: 'toMany', target: 'Deal', key: 'companyId' },
  },
  uniqueKeys: [['domain']],
  defaultOrder: [{ field: 'name', direction: 'asc' }],
});

export const User = defineObject({
  name: 'User',
  plural: 'users',
  description: 'A team member: owner of customers and deals, assignee of tasks and tickets.',
  fields: {
    id: { kind: 'id', sort: true },
    name: { kind: 'string', sort: true, search: 'A' },
    email: { kind: 'string', sort: true, search: 'A' },
    role: { kind: 'enum', enum: 'Role', group: true },
    active: { kind: 'boolean', group: true },
    createdAt: { kind: 'datetime', sort: true },
  },
  uniqueKeys: [['email']],
  defaultOrder: [{ field: 'name', direction: 'asc' }],
});
