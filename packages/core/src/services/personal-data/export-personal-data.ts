import { includingTrashed } from '@crm/db';
import type { Caller } from '../../command.js';
import { notFound } from '../../errors.js';
import { fields, parseInput, z } from '../../validation.js';

/** Everything held about one person, as one JSON-ready document (docs/data.md). */
export interface PersonalDataDocument {
  exportedAt: string;
  customer: Record<string, unknown>;
  /** Core rows that belong to the person, per kind. */
  records: Record<string, unknown[]>;
  /** The audit log's events about the person. */
  history: { type: string; occurredAt: Date; actor: string; payload: unknown }[];
  /** Each plugin's part, by plugin id. */
  plugins: Record<string, Record<string, unknown>>;
}

/**
 * `exportPersonalData`: the customer (trashed or not) with every row that belongs to them, their audit history and
 * every plugin's data (`personalData.export`), read in one transaction so the document is consistent. The export
 * itself is recorded (`customer.personal_data_exported`, without the data).
 */
export async function exportPersonalData(caller: Caller, raw: { customerId: string }): Promise<PersonalDataDocument> {
  const { customerId } = parseInput(z.object({ customerId: fields.id }), raw);
  return caller.run(async (scope) => {
    const { tx } = scope;
    const customer = await tx.customer.findFirst({ where: { id: customerId, ...includingTrashed }, include: { company: { select: { id: true, name: true } } } });
    if (!customer) throw notFound('Customer', 'customerId');
    const mine = { customerId, ...includingTrashed };
    const records: PersonalDataDocument['records'] = {
      activities: await tx.activity.findMany({ where: mine, orderBy: { occurredAt: 'asc' } }),
      orders: await tx.order.findMany({ where: { customerId }, include: { lines: true }, orderBy: { orderedAt: 'asc' } }),
      deals: await tx.deal.findMany({ where: mine, orderBy: { createdAt: 'asc' } }),
      tickets: await tx.ticket.findMany({ where: mine, orderBy: { createdAt: 'asc' } }),
      tasks: await tx.task.findMany({ where: mine, orderBy: { createdAt: 'asc' } }),
      surveyResponses: await tx.surveyResponse.findMany({ where: { customerId }, orderBy: { respondedAt: 'asc' } }),
      campaignResponses: await tx.campaignResponse.findMany({ where: { customerId }, include: { campaign: { select: { name: true } } } }),
      stageChanges: await tx.lifecycleChange.findMany({ where: { customerId }, orderBy: { changedAt: 'asc' } }),
      // Every segment the person is in, a STATIC one kept through the trash included (with its kind: by filter, or by hand).
      segments: await tx.segmentMember.findMany({ where: { customerId }, include: { segment: { select: { name: true, kind: true } } } }),
      scores: await tx.customerScore.findMany({ where: { customerId } }),
    };
    const events = await tx.event.findMany({ where: { customerId }, orderBy: { seq: 'asc' }, select: { type: true, occurredAt: true, actor: true, payload: true } });
    const plugins: PersonalDataDocument['plugins'] = {};
    for (const extension of scope.personalData) plugins[extension.id] = await extension.export(scope, customerId);
    scope.emit('customer.personal_data_exported', { type: 'Customer', id: customerId }, {});
    return { exportedAt: new Date().toISOString(), customer, records, history: events, plugins };
  });
}
