import { completeTask, createTask, logActivity, updateTask } from '@crm/core';
import type { Builder, SchemaTypes } from '../builder.js';
import { callerOf } from '../caller.js';
import { optionalRowId, rowId } from '../ids.js';
import { payloadType } from '../payload.js';
import type { Enums } from './enums.js';
import { updatePrecondition } from '../update-precondition.js';

type InputFields = PothosSchemaTypes.InputFieldBuilder<PothosSchemaTypes.ExtendDefaultTypes<SchemaTypes>, 'InputObject'>;

/** logActivity and the task mutations. */
export function registerCollaborationMutations(builder: Builder, enums: Enums) {
  const LogActivityInput = builder.inputType('LogActivityInput', {
    fields: (t) => ({
      customerId: t.id({ required: true }),
      type: t.field({ type: enums.ActivityType, required: true }),
      channel: t.field({ type: enums.Channel, required: true }),
      direction: t.field({ type: enums.Direction }),
      subject: t.string({ required: true }),
      body: t.string(),
      occurredAt: t.field({ type: 'DateTime', description: 'Defaults to now; at most one day in the future.' }),
      dealId: t.id({ description: 'A deal of the same customer.' }),
      ticketId: t.id({ description: 'A ticket of the same customer.' }),
    }),
  });

  const taskFields = (t: InputFields) => ({
    notes: t.string(),
    dueAt: t.field({ type: 'DateTime' }),
    assigneeId: t.id(),
  });
  const CreateTaskInput = builder.inputType('CreateTaskInput', {
    fields: (t) => ({
      title: t.string({ required: true }),
      ...taskFields(t),
      customerId: t.id(),
      dealId: t.id({ description: 'With customerId, a deal of that customer; alone, the task also joins the deal’s customer.' }),
    }),
  });
  const UpdateTaskInput = builder.inputType('UpdateTaskInput', {
    description: 'Fields left out stay as they are; null clears an optional field. Status DONE stamps completedAt.',
    fields: (t) => ({ id: t.id({ required: true }), title: t.string(), ...taskFields(t), status: t.field({ type: enums.TaskStatus }), ...updatePrecondition(t) }),
  });
  const CompleteTaskInput = builder.inputType('CompleteTaskInput', { fields: (t) => ({ id: t.id({ required: true }) }) });

  const LogActivityPayload = payloadType(builder, 'LogActivityPayload', 'activity', 'Activity');
  const CreateTaskPayload = payloadType(builder, 'CreateTaskPayload', 'task', 'Task');
  const UpdateTaskPayload = payloadType(builder, 'UpdateTaskPayload', 'task', 'Task');
  const CompleteTaskPayload = payloadType(builder, 'CompleteTaskPayload', 'task', 'Task');

  builder.mutationFields((t) => ({
    logActivity: t.field({
      type: LogActivityPayload,
      description: 'Adds an interaction (call, email, chat, visit, …) to a customer’s timeline.',
      args: { input: t.arg({ type: LogActivityInput, required: true }) },
      resolve: async (_root, { input }, ctx) => ({
        activity: await logActivity(callerOf(ctx), {
          ...input,
          customerId: rowId(input.customerId, 'Customer', 'customerId'),
          dealId: optionalRowId(input.dealId, 'Deal', 'dealId'),
          ticketId: optionalRowId(input.ticketId, 'Ticket', 'ticketId'),
        }),
      }),
    }),
    createTask: t.field({
      type: CreateTaskPayload,
      args: { input: t.arg({ type: CreateTaskInput, required: true }) },
      resolve: async (_root, { input }, ctx) => ({
        task: await createTask(callerOf(ctx), {
          ...input,
          assigneeId: optionalRowId(input.assigneeId, 'User', 'assigneeId'),
          customerId: optionalRowId(input.customerId, 'Customer', 'customerId'),
          dealId: optionalRowId(input.dealId, 'Deal', 'dealId'),
        }),
      }),
    }),
    updateTask: t.field({
      type: UpdateTaskPayload,
      args: { input: t.arg({ type: UpdateTaskInput, required: true }) },
      resolve: async (_root, { input }, ctx) => ({
        task: await updateTask(callerOf(ctx), {
          ...input,
          id: rowId(input.id, 'Task', 'id'),
          assigneeId: optionalRowId(input.assigneeId, 'User', 'assigneeId'),
        }),
      }),
    }),
    completeTask: t.field({
      type: CompleteTaskPayload,
      description: 'Sets status DONE and completedAt; completing a done task changes nothing.',
      args: { input: t.arg({ type: CompleteTaskInput, required: true }) },
      resolve: async (_root, { input }, ctx) => ({ task: await completeTask(callerOf(ctx), { id: rowId(input.id, 'Task', 'id') }) }),
    }),
  }));
}
