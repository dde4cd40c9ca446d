import { type Company, includingTrashed, type Prisma } from '@crm/db';
import type { Caller } from '../../command.js';
import { repointRelationValues } from '../../custom-fields/relation-values.js';
import { notFound } from '../../errors.js';
import { fieldChanges } from '../../field-changes.js';
import { runOrRollBack } from './dry-run.js';
import { type MergeInput, type MergeReport, parseMergeInput } from './merge-input.js';
import { moveRows, recordMerges } from './move-rows.js';

export const mergeableCompanyFields = ['name', 'domain', 'industry', 'size', 'annualWallet', 'ownerId'] as const;

/** `mergeCompanies`: the merged companies' customers, deals and history move onto the kept one, in one transaction. */
export async function mergeCompanies(caller: Caller, raw: MergeInput): Promise<MergeReport<Company>> {
  const input = parseMergeInput(raw, mergeableCompanyFields);
  return runOrRollBack(input.dryRun, (finish) =>
    caller.run(async (scope) => {
      const { tx } = scope;
      const keep = await tx.company.findUnique({ where: { id: input.keep } });
      if (!keep) throw notFound('Company', 'keep');
      const merged = await tx.company.findMany({ where: { id: { in: input.merge } } });
      input.merge.forEach((id, index) => {
        if (!merged.some((row) => row.id === id)) throw notFound('Company', `merge.${index}`);
      });
      const byId = new Map([keep, ...merged].map((row) => [row.id, row]));
      const ids = input.merge;
      const moved = {
        customers: await moveRows(scope, 'Customer', 'companyId', input.keep, ids),
        deals: await moveRows(scope, 'Deal', 'companyId', input.keep, ids),
        relationValues: await repointRelationValues(scope, 'Company', input.keep, ids),
        history: await scope.tx.$executeRawUnsafe(
          `UPDATE "Event" SET "subjectId" = $1::uuid WHERE "workspaceId" = $2::uuid AND "subjectType" = 'Company' AND "subjectId" = ANY($3::uuid[])`,
          input.keep,
          scope.session.workspaceId,
          ids,
        ),
      };
      const data: Prisma.CompanyUncheckedUpdateInput = {};
      for (const [field, from] of Object.entries(input.fields)) (data as Record<string, unknown>)[field] = byId.get(from)![field as keyof Company];
      await recordMerges(scope, 'Company', input.keep, ids);
      await tx.company.deleteMany({ where: { id: { in: ids }, ...includingTrashed } });
      const survivor = Object.keys(data).length ? await tx.company.update({ where: { id: input.keep }, data }) : keep;
      const { changes } = fieldChanges(keep, survivor, mergeableCompanyFields);
      scope.emit('company.merged', { type: 'Company', id: input.keep }, { mergedIds: ids, moved, changed: Object.keys(changes), changes });
      return finish({ survivor, mergedIds: ids, moved, changes, dryRun: input.dryRun });
    }),
  );
}
