import { includingTrashed } from '@crm/db';
import type { Caller } from '../../command.js';
import { clearRelationValues } from '../../custom-fields/relation-values.js';
import { notFound } from '../../errors.js';
import { fields, parseInput, z } from '../../validation.js';

/** What an erasure removed, by kind (no personal data: counts only). */
export type ErasureReport = Record<string, number>;

const ERASED = '{"erased": true}';

/** Ids of every core row that belongs to the person ($1 the workspace, $2 the customer). */
const personRowsSql = ['Activity', 'Order', 'Deal', 'Ticket', 'Task', 'SurveyResponse', 'CampaignResponse']
  .map((table) => `SELECT id FROM "${table}" WHERE "workspaceId" = $1::uuid AND "customerId" = $2::uuid`)
  .join(' UNION ALL ');

/**
 * `erasePerson` (ADMIN), in one transaction: each plugin erases its rows (`personalData.erase`); the payloads of
 * every event about the person (the audit log and its copies in webhook deliveries) are replaced by
 * `{"erased": true}`; the customer row is deleted with everything that belongs to it (orders, activities, deals,
 * tickets, tasks, answers, memberships, monthly figures, scores: ON DELETE CASCADE), trashed or not, as are the
 * merges that pointed at it; custom relation values pointing at it are cleared; then each plugin's last phase
 * (`personalData.eraseLast`, if it has one). The log keeps that an erasure happened and by whom: `customer.erased`, counts only.
 */
export async function erasePerson(caller: Caller, raw: { customerId: string }): Promise<ErasureReport> {
  const { customerId } = parseInput(z.object({ customerId: fields.id }), raw);
  return caller.run(
    async (scope) => {
      const { tx, session } = scope;
      const customer = await tx.customer.findFirst({ where: { id: customerId, ...includingTrashed }, select: { id: true } });
      if (!customer) throw notFound('Customer', 'customerId');
      for (const extension of scope.personalData) await extension.erase(scope, customerId);

      // Events about the person, naming them, or about a row of theirs (a task's `task.created` names only the task).
      const eventIds = await tx.$queryRawUnsafe<{ id: string }[]>(
        `WITH theirs AS (${personRowsSql})
         SELECT id::text AS id FROM "Event" e
          WHERE e."workspaceId" = $1::uuid
            AND (e."customerId" = $2::uuid OR e."subjectId" = $2::uuid OR e."subjectId" IN (SELECT id FROM theirs)
                 OR e.payload::text LIKE '%' || $2 || '%')`,
        session.workspaceId,
        customerId,
      );
      const ids = eventIds.map((row) => row.id);
      const report: ErasureReport = {
        events: await tx.$executeRawUnsafe(`UPDATE "Event" SET payload = $3::jsonb WHERE "workspaceId" = $1::uuid AND id = ANY($2::uuid[])`, session.workspaceId, ids, ERASED),
        webhookDeliveries: await tx.$executeRawUnsafe(
          `UPDATE "WebhookDelivery" SET event = jsonb_set(event::jsonb, '{payload}', $3::jsonb), "lastError" = NULL WHERE "workspaceId" = $1::uuid AND "eventId" = ANY($2::uuid[])`,
          session.workspaceId,
          ids,
          ERASED,
        ),
        orders: await tx.order.count({ where: { customerId } }),
        activities: await tx.activity.count({ where: { customerId, ...includingTrashed } }),
        relationValues: await clearRelationValues(scope, 'Customer', [customerId]),
      };
      await tx.recordMerge.deleteMany({ where: { survivorId: customerId } });
      await tx.customer.deleteMany({ where: { id: customerId, ...includingTrashed } });
      // Last, each extension's short final phase (a lock held from here to the commit only: personalData.eraseLast).
      for (const extension of scope.personalData) await extension.eraseLast?.(scope, customerId);
      scope.emit('customer.erased', { type: 'Customer', id: customerId }, { removed: report });
      return report;
    },
    { role: 'ADMIN' },
  );
}
