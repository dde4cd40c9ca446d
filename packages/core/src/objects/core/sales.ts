import { defineObject } from '../declaration.js';

export const Pipeline = defineObject({
  name: 'Pipeline',
  fields: {
    id: { kind: 'id', sort: true },
    name: { kind: 'string', sort: true, search: 'A' },
    isDefault: { kind: 'boolean', sort: true },
    createdAt: { kind: 'datetime', sort: true },
  },
  relations: {
    stages: {
      kind: 'toMany',
      target: 'Stage',
      key: 'pipelineId',
      connection: false,
      description: 'Always in pipeline order (ascending `position`, the order the stages were created in).',
    },
    deals: { kind: 'toMany', target: 'Deal', key: 'pipelineId' },
  },
  defaultOrder: [{ field: 'isDefault', direction: 'desc' }, { field: 'createdAt', direction: 'asc' }],
});

export const Stage = defineObject({
  name: 'Stage',
  fields: {
    id: { kind: 'id', sort: true },
    name: { kind: 'string', sort: true, group: true },
    position: { kind: 'int', sort: true, aggregate: false },
    probability: { kind: 'int', sort: true, description: 'Win probability in percent.' },
    isWon: { kind: 'boolean' },
    isLost: { kind: 'boolean' },
    pipelineId: { kind: 'reference', references: 'Pipeline', group: true },
  },
  relations: {
    pipeline: { kind: 'toOne', target: 'Pipeline', key: 'pipelineId' },
    deals: { kind: 'toMany', target: 'Deal', key: 'stageId', order: [{ field: 'stageChangedAt', direction: 'asc' }] },
  },
  defaultOrder: [{ field: 'position', direction: 'asc' }],
});

export const Deal = defineObject({
  name: 'Deal',
  owner: 'ownerId',
  plural: 'deals',
  single: 'deal',
  fields: {
    id: { kind: 'id', sort: true },
    title: { kind: 'string', sort: true, search: 'A', write: true },
    amount: { kind: 'decimal', sort: true, write: true },
    currency: { kind: 'string', group: true, write: true },
    status: { kind: 'enum', enum: 'DealStatus', sort: true, group: true },
    expectedCloseAt: { kind: 'datetime', nullable: true, sort: true, group: true, write: true },
    closedAt: { kind: 'datetime', nullable: true, sort: true, group: true },
    lostReason: { kind: 'string', nullable: true, search: 'C', write: 'create' },
    externalRef: { kind: 'string', nullable: true, write: true, description: 'The deal’s id in another system.' },
    stageChangedAt: { write: 'system', kind: 'datetime', sort: true },
    customerId: { kind: 'reference', references: 'Customer', group: true, write: 'create' },
    companyId: { kind: 'reference', references: 'Company', nullable: true, group: true, write: true },
    pipelineId: { kind: 'reference', references: 'Pipeline', group: true, write: 'create' },
    stageId: { kind: 'reference', references: 'Stage', group: true, write: 'create' },
    ownerId: { kind: 'reference', references: 'User', nullable: true, group: true, write: true },
    createdAt: { kind: 'datetime', sort: true, group: true },
    updatedAt: { kind: 'datetime', sort: true },
  },
  relations: {
    customer: { kind: 'toOne', target: 'Customer', key: 'customerId' },
    company: { kind: 'toOne', target: 'Company', key: 'companyId' },
    pipeline: { kind: 'toOne', target: 'Pipeline', key: 'pipelineId' },
    stage: { kind: 'toOne', target: 'Stage', key: 'stageId' },
    owner: { kind: 'toOne', target: 'User', key: 'ownerId' },
    activities: { kind: 'toMany', target: 'Activity', key: 'dealId' },
    tasks: { kind: 'toMany', target: 'Task', key: 'dealId', order: [{ field: 'createdAt', direction: 'desc' }] },
  },
  uniqueKeys: [['externalRef']],
  defaultOrder: [{ field: 'createdAt', direction: 'desc' }],
});
