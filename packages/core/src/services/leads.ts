import type { Customer, Deal, LifecycleStage } from '@crm/db';
import type { Caller } from '../command.js';
import { badInput, conflict } from '../errors.js';
import { fieldChanges } from '../field-changes.js';
import { fields, parseInput, z } from '../validation.js';
import { lockForUpdate } from '../record-lock.js';
import { loadCustomer, recordStageChange } from './customers.js';
import { insertDeal, newDealInput } from './deals.js';

export const convertLeadInput = z.object({
  customerId: fields.id,
  toStage: z.enum(['LEAD', 'CUSTOMER']).nullish(),
  deal: newDealInput.nullish(),
});

/** Any lifecycle stage is accepted by the type; validation allows only LEAD and CUSTOMER (BAD_USER_INPUT on toStage). */
export type ConvertLeadInput = Omit<z.input<typeof convertLeadInput>, 'toStage'> & { toStage?: LifecycleStage | null };

/** Stages a conversion starts from: later stages (customers, advocates, churned) are not leads any more. */
const convertible: readonly LifecycleStage[] = ['PROSPECT', 'LEAD'];

export interface ConvertedLead {
  customer: Customer;
  deal: Deal | null;
}

/**
 * Qualifies a prospect as a LEAD, or converts a prospect or lead to a CUSTOMER, optionally opening a deal for them.
 * All in one transaction: if the deal cannot be created, the stage change does not happen either.
 */
export async function convertLead(caller: Caller, raw: ConvertLeadInput): Promise<ConvertedLead> {
  const input = parseInput(convertLeadInput, raw);
  const to = input.toStage ?? 'CUSTOMER';
  return caller.run(async (scope) => {
    const { tx } = scope;
    await lockForUpdate(scope, 'Customer', input.customerId, { field: 'customerId' });
    const before = await loadCustomer(tx, input.customerId, 'customerId');
    const from = before.lifecycleStage;
    if (!convertible.includes(from)) {
      throw badInput(`Only prospects and leads can be converted; this customer is already ${from}`, 'customerId');
    }
    if (from === to) throw badInput(`The customer is already a ${to}`, 'toStage');

    // Conditional on the stage read above, so two simultaneous conversions cannot both record history.
    const { count } = await tx.customer.updateMany({
      where: { id: before.id, lifecycleStage: from },
      data: { lifecycleStage: to, stageChangedAt: new Date(), churnReason: null },
    });
    if (count === 0) throw conflict('The customer was changed at the same time; reload it and try again', 'customerId');
    const customer = await loadCustomer(tx, before.id, 'customerId');
    scope.emit('customer.updated', { type: 'Customer', id: customer.id }, fieldChanges(before, customer, ['lifecycleStage']));
    await recordStageChange(scope, customer.id, from, to, null);

    const deal = input.deal ? await insertDeal(scope, customer, input.deal, 'deal.') : null;
    scope.emit('lead.converted', { type: 'Customer', id: customer.id }, { from, dealId: deal?.id ?? null });
    return { customer, deal };
  });
}
