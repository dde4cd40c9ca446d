import { enums, type Prisma, type SurveyResponse, type Ticket, type TicketStatus } from '@crm/db';
import type { Caller, CommandScope } from '../command.js';
import { badInput, notFound } from '../errors.js';
import { assertInWorkspace, assertOptionalInWorkspace } from '../references.js';
import { fieldChanges } from '../field-changes.js';
import { lockForUpdate } from '../record-lock.js';
import { fields, parseInput, z } from '../validation.js';
import type { UpdateRule, Written } from './bulk/declared-update-batch.js';
import { updateRowsReturning } from './bulk/update-rows.js';
import { surveyScoreRange, writeSurveyResponses } from './surveys.js';

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
  async announce(scope, before, after, input): Promise<SurveyResponse | null> {
    return (await announceTickets(scope, [{ before, after, input }]))[0]!;
  },
  announceMany: announceTickets,
};

/**
 * {@link ticketUpdate}'s announcement of written tickets: each rated one's CSAT answer revised or recorded (the same
 * few statements for one ticket or a batch: one read, one update, one insert), then each ticket's events. Answers
 * each ticket's survey response (null: not rated).
 */
async function announceTickets(scope: CommandScope, written: readonly Written<Ticket, z.output<typeof updateTicketInput>>[]): Promise<(SurveyResponse | null)[]> {
  const rated = written.filter(({ input }) => input.satisfactionRating != null);
  const latest = new Map<string, SurveyResponse>();
  if (rated.length) {
    const answers = await scope.tx.surveyResponse.findMany({ where: { ticketId: { in: rated.map(({ after }) => after.id) }, kind: 'CSAT' }, orderBy: { respondedAt: 'desc' } });
    for (const answer of answers) if (!latest.has(answer.ticketId!)) latest.set(answer.ticketId!, answer);
  }
  const now = new Date();
  const revising = rated.filter(({ after }) => latest.has(after.id));
  const revised = new Map(
    (await updateRowsReturning<SurveyResponse>(scope, 'SurveyResponse', revising.map(({ after, input }) => ({ id: latest.get(after.id)!.id, before: latest.get(after.id)!, data: { score: input.satisfactionRating, respondedAt: now } })))).map((row) => [row.ticketId!, row]),
  );
  for (const { after, input } of revising) {
    scope.emit('survey.responded', { type: 'SurveyResponse', id: latest.get(after.id)!.id }, { customerId: after.customerId, kind: 'CSAT', score: input.satisfactionRating! });
  }
  const recording = rated.filter(({ after }) => !latest.has(after.id));
  const recorded = await writeSurveyResponses(scope, recording.map(({ after, input }) => ({ customerId: after.customerId, ticketId: after.id, kind: 'CSAT' as const, score: input.satisfactionRating! })));
  const answered = new Map([...revised, ...recording.map(({ after }, i) => [after.id, recorded[i]!] as const)]);
  return written.map(({ before, after: ticket }) => {
    const changes = fieldChanges(before, ticket, ['subject', 'description', 'status', 'priority', 'assigneeId', 'satisfactionRating']);
    if (changes.changed.length) scope.emit('ticket.updated', { type: 'Ticket', id: ticket.id }, { customerId: ticket.customerId, ...changes });
    if (isClosedTicketStatus(ticket.status) && !isClosedTicketStatus(before.status)) {
      scope.emit('ticket.closed', { type: 'Ticket', id: ticket.id }, { customerId: ticket.customerId, satisfactionRating: ticket.satisfactionRating });
    }
    return answered.get(ticket.id) ?? null;
  });
}

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
