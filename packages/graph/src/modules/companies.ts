import { createCompany, updateCompany } from '@crm/core';
import type { Builder } from '../builder.js';
import type { DeclaredObjects } from '../objects/declared-objects.js';
import { callerOf } from '../caller.js';
import { optionalRowId, rowId } from '../ids.js';
import { payloadType } from '../payload.js';
import type { Enums } from './enums.js';
import { updatePrecondition } from '../update-precondition.js';

export function registerCompanies(builder: Builder, enums: Enums, objects: DeclaredObjects) {
  objects.register('Company');

  const fields = (t: PothosSchemaTypes.InputFieldBuilder<PothosSchemaTypes.ExtendDefaultTypes<import('../builder.js').SchemaTypes>, 'InputObject'>) => ({
    domain: t.string(),
    industry: t.string(),
    size: t.field({ type: enums.CompanySize }),
    annualWallet: t.field({ type: 'Decimal' }),
    ownerId: t.id(),
    ...objects.customFieldInputs.fields(t, 'Company'),
  });
  const CreateCompanyInput = builder.inputType('CreateCompanyInput', { fields: (t) => ({ name: t.string({ required: true }), ...fields(t) }) });
  const UpdateCompanyInput = builder.inputType('UpdateCompanyInput', {
    description: 'Fields left out stay as they are; null clears an optional field.',
    fields: (t) => ({ id: t.id({ required: true }), name: t.string(), ...fields(t), ...updatePrecondition(t) }),
  });
  const CreateCompanyPayload = payloadType(builder, 'CreateCompanyPayload', 'company', 'Company');
  const UpdateCompanyPayload = payloadType(builder, 'UpdateCompanyPayload', 'company', 'Company');

  builder.mutationFields((t) => ({
    createCompany: t.field({
      type: CreateCompanyPayload,
      args: { input: t.arg({ type: CreateCompanyInput, required: true }) },
      resolve: async (_root, { input }, ctx) => ({
        company: await createCompany(callerOf(ctx), { ...input, ownerId: optionalRowId(input.ownerId, 'User', 'ownerId') }),
      }),
    }),
    updateCompany: t.field({
      type: UpdateCompanyPayload,
      args: { input: t.arg({ type: UpdateCompanyInput, required: true }) },
      resolve: async (_root, { input }, ctx) => ({
        company: await updateCompany(callerOf(ctx), {
          ...input,
          id: rowId(input.id, 'Company', 'id'),
          ownerId: optionalRowId(input.ownerId, 'User', 'ownerId'),
        }),
      }),
    }),
  }));
}
