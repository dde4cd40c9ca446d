import { enums, type Prisma, type SurveyResponse, type Ticket, type TicketStatus } from '@crm/db';
import type { Caller, CommandScope } from '../command.js';
import { badInput, notFound } from '../errors.js';
import { assertInWorkspace, assertOptionalInWorkspace } from '../references.js';
import { fieldChanges } from '../field-changes.js';
import { lockForUpdate } from '../record-lock.js';
import { fields, parseInput, z } from '../validation.js';
import type { UpdateRule } from './bulk/declared-update-batch.js';
import { surveyScoreRange, writeSurveyResponse } from './surveys.js';

/** A ticket in one of these states is finished: it has a `closedAt` and may carry a satisfaction rating. */
const closedStatuses: readonly TicketStatus[] = ['RESOLVED', 'CLOSED'];
export const isClosedTicketStatus = (status: TicketStatus) => closedStatuses.includes(status);

const csat = surveyScoreRange.CSAT;

export const createTicketInput = z.object({
  customerId: fields.id,
  subject: fields.title,
  description: fields.text.nullish(),
  priority: z.enum(enums.TicketPriority).nullish(),
  channel: z.enum(enums.Channel).nullish(),
  assigneeId: fields.id.nullish(),
});

export const updateTicketInput = z.object({
  id: fields.id,
  subject: fields.kept(fields.title),
  description: fields.text.nullish(),
  status: fields.kept(z.enum(enums.TicketStatus)),
  priority: fields.kept(z.enum(enums.TicketPriority)),
  assigneeId: fields.id.nullish(),
  satisfactionRating: fields.kept(
    z
      .number()
      .int('Must be a whole number')
      .min(csat.min, `A rating is between ${csat.min} and ${csat.max}`)
      .max(csat.max, `A rating is between ${csat.min} and ${csat.max}`),
  ),
  expectedUpdatedAt: fields.expectedUpdatedAt,
});

export type CreateTicketInput = z.input<typeof createTicketInput>;
export type UpdateTicketInput = z.input<typeof updateTicketInput>;

/** The row createTicket inserts (the batch writer too, tickets-batch.ts). */
export function newTicketRow(workspaceId: string, input: z.output<typeof createTicketInput>) {
  return {
    workspaceId,
    customerId: input.customerId,
    subject: input.subject,
    description: input.description ?? null,
    priority: input.priority ?? ('NORMAL' as const),
    channel: input.channel ?? null,
    assigneeId: input.assigneeId ?? null,
  };
}

/** `ticket.opened`, as every way of opening a ticket emits it. */
export function emitTicketOpened(scope: CommandScope, ticket: Pick<Ticket, 'id' | 'customerId' | 'subject' | 'priority'>) {
  scope.emit('ticket.opened', { type: 'Ticket', id: ticket.id }, { customerId: ticket.customerId, subject: ticket.subject, priority: ticket.priority });
}

export async function createTicket(caller: Caller, raw: CreateTicketInput): Promise<Ticket> {
  const input = parseInput(createTicketInput, raw);
  return caller.run(async (scope) => {
    const { tx } = scope;
    await assertInWorkspace(tx, 'customer', input.customerId, 'customerId');
    await assertOptionalInWorkspace(tx, 'user', input.assigneeId, 'assigneeId');
    const ticket = await tx.ticket.create({ data: newTicketRow(scope.session.workspaceId, input) });
    emitTicketOpened(scope, ticket);
    return ticket;
  });
}

export interface UpdatedTicket {
  ticket: Ticket;
  /** The CSAT answer recorded (or revised) from `satisfactionRating`, when one was given. */
  surveyResponse: SurveyResponse | null;
}

/**
 * What updateTicket does to a ticket (its batch too, core-writers.ts): the fields given. Moving into RESOLVED/CLOSED
 * stamps `closedAt` and emits ticket.closed; moving back out (reopening) clears `closedAt`. A `satisfactionRating` is
 * only taken for a ticket that is or becomes closed, and is also recorded as the ticket's CSAT survey answer (revised,
 * not duplicated, when the rating changes): `announce` answers that survey response.
 */
export const ticketUpdate: UpdateRule<Ticket, z.output<typeof updateTicketInput>, Prisma.TicketUncheckedUpdateInput, Promise<SurveyResponse | null>> = {
  schema: updateTicketInput,
  change(input, before) {
    const status = input.status ?? before.status;
    const wasClosed = isClosedTicketStatus(before.status);
    const isClosed = isClosedTicketStatus(status);
    const rating = input.satisfactionRating ?? undefined;
    if (rating !== undefined && !isClosed) {
      throw badInput('satisfactionRating: only a RESOLVED or CLOSED ticket can be rated', 'satisfactionRating');
    }
    const data: Prisma.TicketUncheckedUpdateInput = {
      subject: input.subject ?? undefined,
      description: input.description,
      status,
      priority: input.priority ?? undefined,
      assigneeId: input.assigneeId,
      satisfactionRating: rating,
    };
    if (isClosed && !wasClosed) data.closedAt = new Date();
    if (!isClosed && wasClosed) data.closedAt = null;
    return data;
  },
  async announce(scope, before, ticket, input): Promise<SurveyResponse | null> {
    const { tx } = scope;
    const rating = input.satisfactionRating ?? undefined;
    let surveyResponse: SurveyResponse | null = null;
    // A rating is rare in a batch: its survey answer is the one statement or two per rated ticket.
    if (rating !== undefined) {
      const existing = await tx.surveyResponse.findFirst({ where: { ticketId: ticket.id, kind: 'CSAT' }, orderBy: { respondedAt: 'desc' } });
      surveyResponse = existing
        ? await tx.surveyResponse.update({ where: { id: existing.id }, data: { score: rating, respondedAt: new Date() } })
        : await writeSurveyResponse(scope, { customerId: ticket.customerId, ticketId: ticket.id, kind: 'CSAT', score: rating });
      if (existing) {
        scope.emit('survey.responded', { type: 'SurveyResponse', id: existing.id }, { customerId: ticket.customerId, kind: 'CSAT', score: rating });
      }
    }
    const changes = fieldChanges(before, ticket, ['subject', 'description', 'status', 'priority', 'assigneeId', 'satisfactionRating']);
    if (changes.changed.length) scope.emit('ticket.updated', { type: 'Ticket', id: ticket.id }, { customerId: ticket.customerId, ...changes });
    if (isClosedTicketStatus(ticket.status) && !isClosedTicketStatus(before.status)) {
      scope.emit('ticket.closed', { type: 'Ticket', id: ticket.id }, { customerId: ticket.customerId, satisfactionRating: ticket.satisfactionRating });
    }
    return surveyResponse;
  },
};

/** Changes the fields given ({@link ticketUpdate}). */
export async function updateTicket(caller: Caller, raw: UpdateTicketInput): Promise<UpdatedTicket> {
  const input = parseInput(updateTicketInput, raw);
  return caller.run(async (scope) => {
    const { tx } = scope;
    await lockForUpdate(scope, 'Ticket', input.id, { expectedUpdatedAt: input.expectedUpdatedAt });
    const before = await tx.ticket.findUnique({ where: { id: input.id } });
    if (!before) throw notFound('Ticket', 'id');
    const data = ticketUpdate.change(input, before, undefined)!;
    await assertOptionalInWorkspace(tx, 'user', input.assigneeId, 'assigneeId');
    const ticket = await tx.ticket.update({ where: { id: input.id }, data });
    const surveyResponse = await ticketUpdate.announce(scope, before, ticket, input);
    return { ticket, surveyResponse };
  });
}
