import type { Company, Prisma } from '@crm/db';
import type { Caller } from '../command.js';
import { badInput, notFound } from '../errors.js';
import { fieldChanges } from '../field-changes.js';
import { lockForUpdate } from '../record-lock.js';
import { assertOptionalInWorkspace } from '../references.js';
import { fields, parseInput, z } from '../validation.js';
import { type CustomValues, customValuesOf } from '../custom-fields/field-values.js';

const sizes = ['MICRO', 'SMALL', 'MEDIUM', 'LARGE', 'ENTERPRISE'] as const;

const companyFields = {
  name: fields.name,
  domain: fields.domain.nullish(),
  industry: fields.shortText.nullish(),
  size: z.enum(sizes).nullish(),
  annualWallet: fields.nonNegativeMoney.nullish(),
  ownerId: fields.id.nullish(),
  /** The workspace's custom fields by name, checked against their definitions (custom-fields/field-values.ts). */
  customFields: z.unknown().optional(),
};

export const createCompanyInput = z.object(companyFields);
export const updateCompanyInput = z.object({ id: fields.id, ...companyFields, name: fields.name.nullish(), expectedUpdatedAt: fields.expectedUpdatedAt });

export async function createCompany(caller: Caller, raw: z.input<typeof createCompanyInput>): Promise<Company> {
  const input = parseInput(createCompanyInput, raw);
  return caller.run(async (scope) => {
    await assertOptionalInWorkspace(scope.tx, 'user', input.ownerId, 'ownerId');
    const customFields = await customValuesOf(scope.tx, 'Company', input.customFields, null, scope.permissions);
    const company = await scope.tx.company.create({
      data: {
        workspaceId: scope.session.workspaceId,
        name: input.name,
        domain: input.domain ?? null,
        industry: input.industry ?? null,
        size: input.size ?? null,
        annualWallet: input.annualWallet ?? null,
        ownerId: input.ownerId ?? null,
        customFields: customFields as Prisma.InputJsonObject,
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
    const before = await scope.tx.company.findUnique({ where: { id: input.id } });
    if (!before) throw notFound('Company', 'id');
    if (input.name === null) throw badInput('name cannot be removed', 'name');
    await assertOptionalInWorkspace(scope.tx, 'user', input.ownerId, 'ownerId');
    const data: Prisma.CompanyUncheckedUpdateInput = {
      name: input.name,
      domain: input.domain,
      industry: input.industry,
      size: input.size,
      annualWallet: input.annualWallet,
      ownerId: input.ownerId,
      customFields: (await customValuesOf(scope.tx, 'Company', input.customFields, { id: before.id, values: before.customFields as CustomValues }, scope.permissions)) as
        | Prisma.InputJsonObject
        | undefined,
    };
    const company = await scope.tx.company.update({ where: { id: input.id }, data });
    const changes = fieldChanges(before, company, Object.keys(companyFields) as (keyof typeof companyFields)[]);
    if (changes.changed.length) scope.emit('company.updated', { type: 'Company', id: company.id }, changes);
    return company;
  });
}
