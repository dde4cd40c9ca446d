import { createCustomer, updateCustomer } from '@crm/core';
import type { Builder } from '../builder.js';
import { callerOf } from '../caller.js';
import { optionalRowId, rowId } from '../ids.js';
import type { DeclaredObjects } from '../objects/declared-objects.js';
import { payloadType } from '../payload.js';
import type { Enums } from './enums.js';
import { updatePrecondition } from '../update-precondition.js';

/** Customers: the declared object (fields, relations, lists, filters: @crm/core objects/core/contacts.ts), plus
 * the stage history and the commands. */
export function registerCustomers(builder: Builder, enums: Enums, objects: DeclaredObjects) {
  objects.register('Customer');
  objects.register('LifecycleChange');

  const customerInputFields = (t: PothosSchemaTypes.InputFieldBuilder<PothosSchemaTypes.ExtendDefaultTypes<import('../builder.js').SchemaTypes>, 'InputObject'>) => ({
    email: t.string(),
    phone: t.string(),
    lifecycleStage: t.field({ type: enums.LifecycleStage }),
    churnReason: t.string(),
    source: t.field({ type: enums.Channel }),
    companyId: t.id(),
    ownerId: t.id(),
    tags: t.stringList(),
    externalRef: t.string(),
    attributes: t.field({ type: 'JSON' }),
    annualWallet: t.field({ type: 'Decimal' }),
    ...objects.customFieldInputs.fields(t, 'Customer'),
  });
  const CreateCustomerInput = builder.inputType('CreateCustomerInput', {
    fields: (t) => ({ name: t.string({ required: true }), ...customerInputFields(t) }),
  });
  const UpdateCustomerInput = builder.inputType('UpdateCustomerInput', {
    description: 'Fields left out stay as they are; null clears an optional field.',
    fields: (t) => ({ id: t.id({ required: true }), name: t.string(), ...customerInputFields(t), ...updatePrecondition(t) }),
  });

  const CreateCustomerPayload = payloadType(builder, 'CreateCustomerPayload', 'customer', 'Customer');
  const UpdateCustomerPayload = payloadType(builder, 'UpdateCustomerPayload', 'customer', 'Customer');

  type Refs = { companyId?: string | null; ownerId?: string | null };
  const decodeRefs = (input: Refs) => ({
    companyId: optionalRowId(input.companyId, 'Company', 'companyId'),
    ownerId: optionalRowId(input.ownerId, 'User', 'ownerId'),
  });

  builder.mutationFields((t) => ({
    createCustomer: t.field({
      type: CreateCustomerPayload,
      args: { input: t.arg({ type: CreateCustomerInput, required: true }) },
      resolve: async (_root, { input }, ctx) => ({
        customer: await createCustomer(callerOf(ctx), { ...input, ...decodeRefs(input) }),
      }),
    }),
    updateCustomer: t.field({
      type: UpdateCustomerPayload,
      args: { input: t.arg({ type: UpdateCustomerInput, required: true }) },
      resolve: async (_root, { input }, ctx) => ({
        customer: await updateCustomer(callerOf(ctx), { ...input, id: rowId(input.id, 'Customer', 'id'), ...decodeRefs(input) }),
      }),
    }),
  }));
}
