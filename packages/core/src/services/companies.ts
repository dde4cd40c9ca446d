import type { Company, Prisma } from '@crm/db';
import type { Caller } from '../command.js';
import { notFound } from '../errors.js';
import { fieldChanges } from '../field-changes.js';
import { lockForUpdate } from '../record-lock.js';
import { assertOptionalInWorkspace } from '../references.js';
import { fields, parseInput, z } from '../validation.js';
import type { UpdateRule } from './bulk/declared-update-batch.js';
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
export const updateCompanyInput = z.object({ id: fields.id, ...companyFields, name: fields.kept(fields.name), expectedUpdatedAt: fields.expectedUpdatedAt });

type ParsedCreate = z.output<typeof createCompanyInput>;
type ParsedUpdate = z.output<typeof updateCompanyInput>;

/** The row a create input makes (`createCompany` and the bulk writer, companies-batch.ts, write the same). */
export function newCompanyRow(workspaceId: string, input: ParsedCreate, customFields: CustomValues | undefined) {
  return {
    workspaceId,
    name: input.name,
    domain: input.domain ?? null,
    industry: input.industry ?? null,
    size: input.size ?? null,
    annualWallet: input.annualWallet ?? null,
    ownerId: input.ownerId ?? null,
    customFields: customFields as Prisma.InputJsonObject,
  } satisfies Prisma.CompanyUncheckedCreateInput;
}

/** What an update input changes (undefined: unchanged), given its checked custom values. */
export function companyChange(input: ParsedUpdate, customFields: CustomValues | undefined): Prisma.CompanyUncheckedUpdateInput {
  return {
    name: input.name,
    domain: input.domain,
    industry: input.industry,
    size: input.size,
    annualWallet: input.annualWallet,
    ownerId: input.ownerId,
    customFields: customFields as Prisma.InputJsonObject | undefined,
  };
}

/** The `company.updated` payload: each changed field with its old and new value. */
export const companyChanges = (before: Company, after: Company) => fieldChanges(before, after, Object.keys(companyFields) as (keyof typeof companyFields)[]);

export async function createCompany(caller: Caller, raw: z.input<typeof createCompanyInput>): Promise<Company> {
  const input = parseInput(createCompanyInput, raw);
  return caller.run(async (scope) => {
    await assertOptionalInWorkspace(scope.tx, 'user', input.ownerId, 'ownerId');
    const customFields = await customValuesOf(scope, 'Company', input.customFields, null, scope.permissions);
    const company = await scope.tx.company.create({ data: newCompanyRow(scope.session.workspaceId, input, customFields) });
    scope.emit('company.created', { type: 'Company', id: company.id }, { name: company.name });
    return company;
  });
}

/** What updateCompany does to a company (its batch too, core-writers.ts): the fields given, custom values checked. */
export const companyUpdate: UpdateRule<Company, ParsedUpdate, Prisma.CompanyUncheckedUpdateInput, void> = {
  schema: updateCompanyInput,
  change: (input, _before, customFields) => companyChange(input, customFields),
  announce(scope, before, company) {
    const changes = companyChanges(before, company);
    if (changes.changed.length) scope.emit('company.updated', { type: 'Company', id: company.id }, changes);
  },
};

export async function updateCompany(caller: Caller, raw: z.input<typeof updateCompanyInput>): Promise<Company> {
  const input = parseInput(updateCompanyInput, raw);
  return caller.run(async (scope) => {
    await lockForUpdate(scope, 'Company', input.id, { expectedUpdatedAt: input.expectedUpdatedAt });
    const before = await scope.tx.company.findUnique({ where: { id: input.id } });
    if (!before) throw notFound('Company', 'id');
    await assertOptionalInWorkspace(scope.tx, 'user', input.ownerId, 'ownerId');
    const customFields = await customValuesOf(scope, 'Company', input.customFields, { id: before.id, values: before.customFields as CustomValues }, scope.permissions);
    const company = await scope.tx.company.update({ where: { id: input.id }, data: companyUpdate.change(input, before, customFields)! });
    companyUpdate.announce(scope, before, company, input);
    return company;
  });
}
