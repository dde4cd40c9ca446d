import { type Activity, enums, type ScopedTransaction } from '@crm/db';
import type { Caller, CommandScope } from '../command.js';
import { badInput, notFound } from '../errors.js';
import { assertInWorkspace } from '../references.js';
import { fields, parseInput, z } from '../validation.js';

const DAY_MS = 86_400_000;

/**
 * A time something happened: not more than a day ahead (clock skew and time zones), so a typo in the year cannot
 * park an interaction at the top of the timeline forever.
 */
export const pastOrPresentDate = z
  .date()
  .refine((date) => date.getTime() <= Date.now() + DAY_MS, 'Must not be more than one day in the future');

/**
 * Throws unless the deal or ticket exists in the workspace (NOT_FOUND) and belongs to `customerId`
 * (BAD_USER_INPUT): a timeline entry, task or survey answer must not tie two customers together.
 */
export async function assertSameCustomer(
  tx: ScopedTransaction,
  model: 'deal' | 'ticket',
  id: string,
  customerId: string,
  field: string,
): Promise<void> {
  const row =
    model === 'deal'
      ? await tx.deal.findUnique({ where: { id }, select: { customerId: true } })
      : await tx.ticket.findUnique({ where: { id }, select: { customerId: true } });
  checkSameCustomer(model, row?.customerId, customerId, field);
}

/** {@link assertSameCustomer}'s rule, given the customer of the deal or ticket (undefined: not found). */
export function checkSameCustomer(model: 'deal' | 'ticket', ownerId: string | undefined, customerId: string, field: string): void {
  if (ownerId === undefined) throw notFound(model === 'deal' ? 'Deal' : 'Ticket', field);
  if (ownerId !== customerId) throw badInput(`${field}: the ${model} belongs to another customer`, field);
}

export const logActivityInput = z.object({
  customerId: fields.id,
  type: z.enum(enums.ActivityType),
  channel: z.enum(enums.Channel),
  direction: z.enum(enums.Direction).nullish(),
  subject: fields.title,
  body: fields.text.nullish(),
  occurredAt: pastOrPresentDate.nullish(),
  dealId: fields.id.nullish(),
  ticketId: fields.id.nullish(),
});

export type LogActivityInput = z.input<typeof logActivityInput>;

/** The row logActivity inserts (the batch writer too, activities-batch.ts). */
export function newActivityRow(workspaceId: string, input: z.output<typeof logActivityInput>) {
  return {
    workspaceId,
    customerId: input.customerId,
    dealId: input.dealId ?? null,
    ticketId: input.ticketId ?? null,
    type: input.type,
    channel: input.channel,
    direction: input.direction ?? null,
    subject: input.subject,
    body: input.body ?? null,
    occurredAt: input.occurredAt ?? new Date(),
  };
}

/** `activity.logged`. Its `body` travels with the event so plugins (e.g. competitor detection) need not read the row back. */
export function emitActivityLogged(scope: CommandScope, activity: Pick<Activity, 'id' | 'customerId' | 'type' | 'channel' | 'subject' | 'body'>) {
  scope.emit(
    'activity.logged',
    { type: 'Activity', id: activity.id },
    { customerId: activity.customerId, type: activity.type, channel: activity.channel, subject: activity.subject, body: activity.body },
  );
}

/** Adds one interaction to a customer's timeline. */
export async function logActivity(caller: Caller, raw: LogActivityInput): Promise<Activity> {
  const input = parseInput(logActivityInput, raw);
  return caller.run(async (scope) => {
    const { tx } = scope;
    await assertInWorkspace(tx, 'customer', input.customerId, 'customerId');
    if (input.dealId) await assertSameCustomer(tx, 'deal', input.dealId, input.customerId, 'dealId');
    if (input.ticketId) await assertSameCustomer(tx, 'ticket', input.ticketId, input.customerId, 'ticketId');
    const activity = await tx.activity.create({ data: newActivityRow(scope.session.workspaceId, input) });
    emitActivityLogged(scope, activity);
    return activity;
  });
}
