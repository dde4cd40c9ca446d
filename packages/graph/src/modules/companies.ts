import { createCompany, updateCompany } from '@crm/core';
import type { Builder } from '../builder.js';
import { orderedBy } from '../relation-order.js';
import { callerOf } from '../caller.js';
import { optionalRowId, rowId } from '../ids.js';
import { payloadType } from '../payload.js';
import type { Enums } from './enums.js';

export function registerCompanies(builder: Builder, enums: Enums) {
  builder.prismaNode('Company', {
    id: { field: 'id' },
    fields: (t) => ({
      name: t.exposeString('name'),
      domain: t.exposeString('domain', { nullable: true }),
      industry: t.exposeString('industry', { nullable: true }),
      size: t.expose('size', { type: enums.CompanySize, nullable: true }),
      annualWallet: t.expose('annualWallet', { type: 'Decimal', nullable: true, description: 'Estimated yearly spend in our category.' }),
      owner: t.relation('owner', { nullable: true }),
      createdAt: t.expose('createdAt', { type: 'DateTime' }),
      updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
      customers: t.relatedConnection('customers', { cursor: 'id', totalCount: true, ...orderedBy({ name: 'asc' }, { id: 'asc' }) }),
      deals: t.relatedConnection('deals', { cursor: 'id', totalCount: true, ...orderedBy({ createdAt: 'desc' }, { id: 'desc' }) }),
    }),
  });

  builder.queryFields((t) => ({
    company: t.prismaField({
      type: 'Company',
      nullable: true,
      authScopes: { authenticated: true },
      args: { id: t.arg.id({ required: true }) },
      resolve: (query, _root, args, ctx) => callerOf(ctx).db.company.findUnique({ ...query, where: { id: rowId(args.id, 'Company', 'id') } }),
    }),
    companies: t.prismaConnection({
      type: 'Company',
      cursor: 'id',
      authScopes: { authenticated: true },
      args: { search: t.arg.string({ description: 'Matches name or domain (case-insensitive, substring).' }) },
      resolve: (query, _root, args, ctx) =>
        callerOf(ctx).db.company.findMany({ ...query, where: companyWhere(args.search), orderBy: [{ name: 'asc' }, { id: 'asc' }] }),
      totalCount: (_c, args, ctx) => callerOf(ctx).db.company.count({ where: companyWhere(args.search) }),
    }),
  }));

  const fields = (t: PothosSchemaTypes.InputFieldBuilder<PothosSchemaTypes.ExtendDefaultTypes<import('../builder.js').SchemaTypes>, 'InputObject'>) => ({
    domain: t.string(),
    industry: t.string(),
    size: t.field({ type: enums.CompanySize }),
    annualWallet: t.field({ type: 'Decimal' }),
    ownerId: t.id(),
  });
  const CreateCompanyInput = builder.inputType('CreateCompanyInput', { fields: (t) => ({ name: t.string({ required: true }), ...fields(t) }) });
  const UpdateCompanyInput = builder.inputType('UpdateCompanyInput', {
    description: 'Fields left out stay as they are; null clears an optional field.',
    fields: (t) => ({ id: t.id({ required: true }), name: t.string(), ...fields(t) }),
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

function companyWhere(search: string | null | undefined) {
  const q = search?.trim();
  if (!q) return {};
  return { OR: [{ name: { contains: q, mode: 'insensitive' as const } }, { domain: { contains: q, mode: 'insensitive' as const } }] };
}
