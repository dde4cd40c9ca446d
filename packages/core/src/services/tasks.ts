import { enums, type Prisma, type Task } from '@crm/db';
import type { Caller } from '../command.js';
import { badInput, notFound } from '../errors.js';
import { assertOptionalInWorkspace } from '../references.js';
import type { UpdateRule } from './bulk/declared-update-batch.js';
import { fieldChanges } from '../field-changes.js';
import { updateEventFields } from '../update-events.js';
import { lockForUpdate } from '../record-lock.js';
import { fields, parseInput, z } from '../validation.js';

export const updateTaskInput = z.object({
  id: fields.id,
  title: fields.kept(fields.title),
  notes: fields.text.nullish(),
  dueAt: fields.date.nullish(),
  assigneeId: fields.id.nullish(),
  status: fields.kept(z.enum(enums.TaskStatus)),
  expectedUpdatedAt: fields.expectedUpdatedAt,
});

export type UpdateTaskInput = z.input<typeof updateTaskInput>;

/**
 * What updateTask does to a task (its batch too, core-writers.ts): the fields given; a status of DONE stamps
 * `completedAt` (and emits task.completed, as completeTask does); leaving DONE clears it.
 */
export const taskUpdate: UpdateRule<Task, z.output<typeof updateTaskInput>, Prisma.TaskUncheckedUpdateInput, void> = {
  schema: updateTaskInput,
  change(input, before) {
    const status = input.status ?? before.status;
    const data: Prisma.TaskUncheckedUpdateInput = { title: input.title, notes: input.notes, dueAt: input.dueAt, assigneeId: input.assigneeId, status };
    if (status === 'DONE' && before.status !== 'DONE') data.completedAt = new Date();
    else if (status !== 'DONE') data.completedAt = null;
    return data;
  },
  announce(scope, before, task) {
    const changes = fieldChanges(before, task, updateEventFields['task.updated']);
    if (changes.changed.length) scope.emit('task.updated', { type: 'Task', id: task.id }, changes);
    if (task.status === 'DONE' && before.status !== 'DONE') scope.emit('task.completed', { type: 'Task', id: task.id }, { title: task.title });
  },
};

/** Changes the fields given ({@link taskUpdate}). */
export async function updateTask(caller: Caller, raw: UpdateTaskInput): Promise<Task> {
  const input = parseInput(updateTaskInput, raw);
  return caller.run(async (scope) => {
    const { tx } = scope;
    await lockForUpdate(scope, 'Task', input.id, { expectedUpdatedAt: input.expectedUpdatedAt });
    const before = await tx.task.findUnique({ where: { id: input.id } });
    if (!before) throw notFound('Task', 'id');
    const data = taskUpdate.change(input, before, undefined)!;
    await assertOptionalInWorkspace(tx, 'user', input.assigneeId, 'assigneeId');
    const task = await tx.task.update({ where: { id: input.id }, data });
    taskUpdate.announce(scope, before, task, input);
    return task;
  });
}

/** Marks a task DONE. Completing a task that is already done changes nothing (a retried request is harmless). */
export async function completeTask(caller: Caller, raw: { id: string }): Promise<Task> {
  const { id } = parseInput(z.object({ id: fields.id }), raw);
  return caller.run(async (scope) => {
    const { tx } = scope;
    await lockForUpdate(scope, 'Task', id);
    const before = await tx.task.findUnique({ where: { id } });
    if (!before) throw notFound('Task', 'id');
    if (before.status === 'DONE') return before;
    const task = await tx.task.update({ where: { id }, data: { status: 'DONE', completedAt: new Date() } });
    // The completion is the task's one update here, so its field changes ride on this event (updateTask announces
    // them in `task.updated`, and its `task.completed` carries none: one change, one update).
    scope.emit('task.completed', { type: 'Task', id }, { title: task.title, ...fieldChanges(before, task, updateEventFields['task.completed']) });
    return task;
  });
}
