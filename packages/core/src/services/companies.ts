import type { Company, Prisma } from '@crm/db';
import type { Caller } from '../command.js';
import { badInput, notFound } from '../errors.js';
import { assertOptionalInWorkspace, changedKeys } from '../references.js';
import { lockForUpdate } from '../record-lock.js';
import { fields, parseInput, z } from '../validation.js';

const sizes = ['MICRO', 'SMALL', 'MEDIUM', 'LARGE', 'ENTERPRISE'] as const;

const companyFields = {
  name: fields.name,
  domain: fields.domain.nullish(),
  industry: fields.shortText.nullish(),
  size: z.enum(sizes).nullish(),
  annualWallet: fields.nonNegativeMoney.nullish(),
  ownerId: fields.id.nullish(),
};

export const createCompanyInput = z.object(companyFields);
export const updateCompanyInput = z.object({ id: fields.id, ...companyFields, name: fields.name.nullish(), expectedUpdatedAt: fields.expectedUpdatedAt });

export async function createCompany(caller: Caller, raw: z.input<typeof createCompanyInput>): Promise<Company> {
  const input = parseInput(createCompanyInput, raw);
  return caller.run(async (scope) => {
    await assertOptionalInWorkspace(scope.tx, 'user', input.ownerId, 'ownerId');
    const company = await scope.tx.company.create({
      data: {
        workspaceId: scope.session.workspaceId,
        name: input.name,
        domain: input.domain ?? null,
        industry: input.industry ?? null,
        size: input.size ?? null,
        annualWallet: input.annualWallet ?? null,
        ownerId: input.ownerId ?? null,
      },
    });
    scope.emit('company.created', { type: 'Company', id: company.id }, { name: company.name });
    return company;
  });
}

export async function updateCompany(caller: Caller, raw: z.input<typeof updateCompanyInput>): Promise<Company> {
  const input = parseInput(updateCompanyInput, raw);
  return caller.run(async (scope) => {
    await lockForUpdate(scope, 'Company', input.id, { expectedUpdatedAt: input.expectedUpdatedAt });
    if (input.name === null) throw badInput('name cannot be removed', 'name');
    await assertOptionalInWorkspace(scope.tx, 'user', input.ownerId, 'ownerId');
    const data: Prisma.CompanyUncheckedUpdateInput = {
      name: input.name,
      domain: input.domain,
      industry: input.industry,
      size: input.size,
      annualWallet: input.annualWallet,
      ownerId: input.ownerId,
    };
    const company = await scope.tx.company.update({ where: { id: input.id }, data });
    scope.emit('company.updated', { type: 'Company', id: company.id }, { changed: changedKeys(input) });
    return company;
  });
}

export async function deleteCompany(caller: Caller, raw: { id: string }): Promise<Company> {
  const { id } = parseInput(z.object({ id: fields.id }), raw);
  return caller.run(async (scope) => {
    await lockForUpdate(scope, 'Company', id);
    const company = await scope.tx.company.findUnique({ where: { id } });
    if (!company) throw notFound('Company', 'id');
    // Customers and deals keep existing without a company (ON DELETE SET NULL).
    await scope.tx.company.delete({ where: { id } });
    scope.emit('company.deleted', { type: 'Company', id }, { name: company.name });
    return company;
  });
}
