import { createTicket, recordSurveyResponse, updateTicket, type UpdatedTicket } from '@crm/core';
import type { SurveyResponse, Ticket } from '@crm/db';
import type { ObjectRef } from '@pothos/core';
import type { Builder, SchemaTypes } from '../builder.js';
import { callerOf } from '../caller.js';
import { optionalRowId, rowId } from '../ids.js';
import { payloadType } from '../payload.js';
import type { Enums } from './enums.js';
import { updatePrecondition } from '../update-precondition.js';

type Ref<Shape> = ObjectRef<PothosSchemaTypes.ExtendDefaultTypes<SchemaTypes>, Shape>;

/** Ticket mutations and survey answers; `refs` are the node types of service.ts. */
export function registerServiceMutations(builder: Builder, enums: Enums, refs: { Ticket: Ref<Ticket>; SurveyResponse: Ref<SurveyResponse> }) {
  const CreateTicketInput = builder.inputType('CreateTicketInput', {
    fields: (t) => ({
      customerId: t.id({ required: true }),
      subject: t.string({ required: true }),
      priority: t.field({ type: enums.TicketPriority, description: 'Defaults to NORMAL.' }),
      description: t.string(),
      channel: t.field({ type: enums.Channel, description: 'Where the customer raised the case.' }),
      assigneeId: t.id(),
    }),
  });
  const UpdateTicketInput = builder.inputType('UpdateTicketInput', {
    description:
      'Fields left out stay as they are; null clears an optional field. RESOLVED or CLOSED stamps closedAt; reopening clears it.',
    fields: (t) => ({
      id: t.id({ required: true }),
      subject: t.string(),
      description: t.string(),
      status: t.field({ type: enums.TicketStatus }),
      priority: t.field({ type: enums.TicketPriority }),
      assigneeId: t.id(),
      satisfactionRating: t.int({
        description: 'CSAT 1-5, only for a ticket that is or becomes RESOLVED/CLOSED; also recorded as a CSAT survey answer.',
      }),
      ...updatePrecondition(t),
    }),
  });
  const RecordSurveyResponseInput = builder.inputType('RecordSurveyResponseInput', {
    fields: (t) => ({
      customerId: t.id({ required: true }),
      kind: t.field({ type: enums.SurveyKind, required: true }),
      score: t.int({ required: true, description: 'CSAT 1-5, NPS 0-10.' }),
      comment: t.string(),
      respondedAt: t.field({ type: 'DateTime', description: 'Defaults to now.' }),
      ticketId: t.id({ description: 'A ticket of the same customer the answer is about.' }),
    }),
  });

  const CreateTicketPayload = payloadType(builder, 'CreateTicketPayload', 'ticket', 'Ticket');
  const UpdateTicketPayload = builder.objectRef<UpdatedTicket>('UpdateTicketPayload').implement({
    fields: (t) => ({
      ticket: t.field({ type: refs.Ticket, resolve: (payload) => payload.ticket }),
      surveyResponse: t.field({
        type: refs.SurveyResponse,
        nullable: true,
        description: 'The CSAT answer recorded from satisfactionRating, when one was given.',
        resolve: (payload) => payload.surveyResponse,
      }),
    }),
  });
  const RecordSurveyResponsePayload = payloadType(builder, 'RecordSurveyResponsePayload', 'surveyResponse', 'SurveyResponse');

  builder.mutationFields((t) => ({
    createTicket: t.field({
      type: CreateTicketPayload,
      args: { input: t.arg({ type: CreateTicketInput, required: true }) },
      resolve: async (_root, { input }, ctx) => ({
        ticket: await createTicket(callerOf(ctx), {
          ...input,
          customerId: rowId(input.customerId, 'Customer', 'customerId'),
          assigneeId: optionalRowId(input.assigneeId, 'User', 'assigneeId'),
        }),
      }),
    }),
    updateTicket: t.field({
      type: UpdateTicketPayload,
      args: { input: t.arg({ type: UpdateTicketInput, required: true }) },
      resolve: (_root, { input }, ctx) =>
        updateTicket(callerOf(ctx), {
          ...input,
          id: rowId(input.id, 'Ticket', 'id'),
          assigneeId: optionalRowId(input.assigneeId, 'User', 'assigneeId'),
        }),
    }),
    recordSurveyResponse: t.field({
      type: RecordSurveyResponsePayload,
      args: { input: t.arg({ type: RecordSurveyResponseInput, required: true }) },
      resolve: async (_root, { input }, ctx) => ({
        surveyResponse: await recordSurveyResponse(callerOf(ctx), {
          ...input,
          customerId: rowId(input.customerId, 'Customer', 'customerId'),
          ticketId: optionalRowId(input.ticketId, 'Ticket', 'ticketId'),
        }),
      }),
    }),
  }));
}
