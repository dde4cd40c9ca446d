import { type Customer, includingTrashed, type Prisma } from '@crm/db';
import type { Caller, CommandScope } from '../../command.js';
import { repointRelationValues } from '../../custom-fields/relation-values.js';
import { notFound } from '../../errors.js';
import { lockManyForUpdate } from '../../record-lock.js';
import { fieldChanges } from '../../field-changes.js';
import { phoneE164 } from '../duplicates/match-keys.js';
import { runOrRollBack } from './dry-run.js';
import { type MergeInput, type MergeReport, parseMergeInput } from './merge-input.js';
import { moveRows, recordMerges } from './move-rows.js';
import { moveStaticMemberships } from '../segments/static-members.js';

/** Fields whose value a merge can take from any of the records (`fields: { name: <id> }`). */
export const mergeableCustomerFields = ['name', 'email', 'phone', 'lifecycleStage', 'source', 'companyId', 'ownerId', 'externalRef', 'annualWallet'] as const;

/** Tables whose rows follow their customer: moved onto the survivor as they are. */
const customerRows = [
  ['activities', 'Activity'],
  ['orders', 'Order'],
  ['deals', 'Deal'],
  ['tickets', 'Ticket'],
  ['tasks', 'Task'],
  ['surveyResponses', 'SurveyResponse'],
  ['stageChanges', 'LifecycleChange'],
  // The audit log: the merged customers' history becomes the survivor's.
  ['history', 'Event'],
] as const;

/**
 * `mergeCustomers`: one transaction moves everything of the merged customers onto the kept one (their activities,
 * orders, deals, tickets, tasks, survey and campaign responses, stage history, audit history, monthly figures, and
 * each plugin's rows through its `personalData.merge`), takes the chosen fields, deletes the merged rows, and records
 * the merge: `customer.merged`, and `RecordMerge` rows so the merged ids keep resolving to the survivor.
 * With `dryRun` it does all of it and rolls back, returning what would move.
 */
export async function mergeCustomers(caller: Caller, raw: MergeInput): Promise<MergeReport<Customer>> {
  const input = parseMergeInput(raw, mergeableCustomerFields);
  return runOrRollBack(input.dryRun, (finish) =>
    caller.run(async (scope) => {
      const { tx } = scope;
      // The kept and merged rows are locked first (in id order), as every command changing a customer locks it: a
      // concurrent change of one of them (a STATIC membership added or removed, tags) commits before the merge reads
      // and moves, or waits for the merge and finds the merged customer gone.
      await lockManyForUpdate(scope, 'Customer', [input.keep, ...input.merge].map((id) => ({ id })));
      const keep = await tx.customer.findUnique({ where: { id: input.keep } });
      if (!keep) throw notFound('Customer', 'keep');
      const merged = await tx.customer.findMany({ where: { id: { in: input.merge } } });
      input.merge.forEach((id, index) => {
        if (!merged.some((row) => row.id === id)) throw notFound('Customer', `merge.${index}`);
      });
      const byId = new Map([keep, ...merged].map((row) => [row.id, row]));
      const ids = input.merge;

      const moved: Record<string, number> = {};
      for (const [kind, table] of customerRows) moved[kind] = await moveRows(scope, table, 'customerId', input.keep, ids);
      moved.campaignResponses = await moveCampaignResponses(scope, input.keep, ids);
      moved.relationValues = await repointRelationValues(scope, 'Customer', input.keep, ids);
      moved.segmentMemberships = await tx.segmentMember.count({ where: { customerId: { in: ids } } });
      // FILTER segments recompute the survivor after the merge (its event); STATIC ones keep the merged customers' places.
      await moveStaticMemberships(scope, input.keep, ids);
      await combineMonths(scope, input.keep, ids);
      for (const extension of scope.personalData) {
        const counts = await extension.merge(scope, { keepId: input.keep, mergedIds: ids });
        for (const [table, count] of Object.entries(counts)) moved[`${extension.id}.${table}`] = count;
      }

      const data: Prisma.CustomerUncheckedUpdateInput = {
        tags: [...new Set([keep, ...merged].flatMap((row) => row.tags))],
        attributes: Object.assign({}, ...[...merged].reverse().map((row) => row.attributes as object), keep.attributes as object),
      };
      for (const [field, from] of Object.entries(input.fields)) {
        (data as Record<string, unknown>)[field] = byId.get(from)![field as keyof Customer];
      }
      if (data.phone !== undefined) data.phoneE164 = phoneE164(data.phone as string | null);
      // Unique keys (email, externalRef) are freed before the survivor takes them.
      await recordMerges(scope, 'Customer', input.keep, ids);
      await tx.customer.deleteMany({ where: { id: { in: ids }, ...includingTrashed } });
      await tx.customer.update({ where: { id: input.keep }, data });
      await refreshPurchaseFigures(scope, input.keep);
      const survivor = (await tx.customer.findUnique({ where: { id: input.keep } }))!;
      const { changes } = fieldChanges(keep, survivor, [...mergeableCustomerFields, 'tags']);
      scope.emit('customer.merged', { type: 'Customer', id: input.keep }, { mergedIds: ids, moved, changed: Object.keys(changes), changes });
      return finish({ survivor, mergedIds: ids, moved, changes, dryRun: input.dryRun });
    }),
  );
}

/** Campaign responses are unique per (campaign, customer, kind): one the survivor already has is dropped. */
async function moveCampaignResponses(scope: CommandScope, keepId: string, mergedIds: readonly string[]): Promise<number> {
  let moved = 0;
  for (const id of mergedIds) {
    moved += await scope.tx.$executeRawUnsafe(
      `UPDATE "CampaignResponse" r SET "customerId" = $1::uuid
        WHERE r."workspaceId" = $2::uuid AND r."customerId" = $3::uuid
          AND NOT EXISTS (SELECT 1 FROM "CampaignResponse" s WHERE s."campaignId" = r."campaignId" AND s."customerId" = $1::uuid AND s.kind = r.kind)`,
      keepId,
      scope.session.workspaceId,
      id,
    );
  }
  return moved;
}

/** The monthly rollup (`CustomerMonth`): the merged customers' months are added to the survivor's. */
async function combineMonths(scope: CommandScope, keepId: string, mergedIds: readonly string[]): Promise<void> {
  await scope.tx.$executeRawUnsafe(
    `INSERT INTO "CustomerMonth" ("customerId", "workspaceId", month, orders, revenue, "productCost", tickets, activities, "campaignContacts")
     SELECT $1::uuid, $2::uuid, month, sum(orders), sum(revenue), sum("productCost"), sum(tickets), sum(activities), sum("campaignContacts")
       FROM "CustomerMonth" WHERE "workspaceId" = $2::uuid AND "customerId" = ANY($3::uuid[]) GROUP BY month
     ON CONFLICT ("customerId", month) DO UPDATE SET
       orders = "CustomerMonth".orders + EXCLUDED.orders, revenue = "CustomerMonth".revenue + EXCLUDED.revenue,
       "productCost" = "CustomerMonth"."productCost" + EXCLUDED."productCost", tickets = "CustomerMonth".tickets + EXCLUDED.tickets,
       activities = "CustomerMonth".activities + EXCLUDED.activities, "campaignContacts" = "CustomerMonth"."campaignContacts" + EXCLUDED."campaignContacts"`,
    keepId,
    scope.session.workspaceId,
    [...mergedIds],
  );
}

/** The survivor's purchase figures from its orders (now including the merged customers'). */
async function refreshPurchaseFigures(scope: CommandScope, customerId: string): Promise<void> {
  await scope.tx.$executeRawUnsafe(
    `UPDATE "Customer" c SET "lifetimeValue" = o.total, "orderCount" = o.count, "firstOrderAt" = o.first, "lastOrderAt" = o.last
       FROM (SELECT coalesce(sum(total), 0) AS total, count(*)::int AS count, min("orderedAt") AS first, max("orderedAt") AS last
               FROM "Order" WHERE "workspaceId" = $2::uuid AND "customerId" = $1::uuid) o
      WHERE c.id = $1::uuid AND c."workspaceId" = $2::uuid`,
    customerId,
    scope.session.workspaceId,
  );
}
