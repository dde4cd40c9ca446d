// Step kinds whose core command answers item by item (`updateCustomersTags`, `createTasks`, `updateSegmentMemberships`): the steps of a claimed
// batch that are at the same point of their runs go to the core in one call per kind and acting role (a few
// statements, whatever their number), and a step alone is the same call with one item. Each item is the step's input
// as its command takes it; each answer, the step's output or the error its item met.
import type { ActingRole, CoreCommands } from '@crm/plugin-sdk';
import type { StepInput } from './step-input.js';
import { buildInput } from './command-inputs.js';

type Output = Record<string, unknown>;
type TagItem = Parameters<CoreCommands['updateCustomersTags']>[0]['items'][number];
type TaskItem = Parameters<CoreCommands['createTasks']>[0]['items'][number];
type MembershipItem = Parameters<CoreCommands['updateSegmentMemberships']>[0]['items'][number];
/** By item: the step's output, or the error its item met. */
type Answers = ({ value: Output } | { error: Error })[];
type Call = (commands: CoreCommands, items: never[], as: ActingRole) => Promise<Answers>;

/** The core calls steps share: each takes the items of one acting role and answers each (its output, or its error). */
const calls = {
  customerTags: async (commands: CoreCommands, items: TagItem[], as: ActingRole) =>
    (await commands.updateCustomersTags({ items }, { as })).map((result) => ('error' in result ? result : { value: { tags: result.value.tags } })),
  tasks: async (commands: CoreCommands, items: TaskItem[], as: ActingRole) =>
    (await commands.createTasks({ items }, { as })).map((result) =>
      'error' in result ? result : { value: { id: result.value.id, title: result.value.title, dueAt: result.value.dueAt?.toISOString() ?? null } },
    ),
  segmentMembers: async (commands: CoreCommands, items: MembershipItem[], as: ActingRole) =>
    (await commands.updateSegmentMemberships({ items }, { as })).map((result) =>
      'error' in result ? result : { value: { segmentId: result.value.segmentId, segment: result.value.segment, changed: result.value.changed } },
    ),
} satisfies Record<string, Call>;

export type StepCall = keyof typeof calls;

/** A grouped kind: the core call its steps share, and its item from a step's input (a throw: the input is refused). */
interface GroupedStep<C extends StepCall> {
  call: C;
  item(input: StepInput): Parameters<(typeof calls)[C]>[1][number];
}

export const groupedSteps = {
  // A customer's list is changed under its row lock: a concurrent change is kept, never a CONFLICT.
  addTag: { call: 'customerTags', item: (input): TagItem => buildInput('addTag', input) },
  removeTag: { call: 'customerTags', item: (input): TagItem => buildInput('removeTag', input) },
  // A STATIC segment's membership (core's rule, checked again when it runs: a segment deleted or turned FILTER since
  // publishing fails the step, NOT_FOUND or BAD_USER_INPUT on segmentId).
  addToSegment: { call: 'segmentMembers', item: (input): MembershipItem => buildInput('addToSegment', input) },
  removeFromSegment: { call: 'segmentMembers', item: (input): MembershipItem => buildInput('removeFromSegment', input) },
  createTask: { call: 'tasks', item: (input): TaskItem => buildInput('createTask', input) },
} satisfies { [K in 'addTag' | 'removeTag' | 'addToSegment' | 'removeFromSegment' | 'createTask']: GroupedStep<StepCall> };

export type GroupedKind = keyof typeof groupedSteps;

export const isGrouped = (kind: string): kind is GroupedKind => Object.hasOwn(groupedSteps, kind);

/** Runs `call` for items of one acting role (each with the actor its events name): by item, its output or its error. */
export function callGrouped(call: StepCall, commands: CoreCommands, items: readonly object[], as: ActingRole): Promise<Answers> {
  return (calls[call] as Call)(commands, items as never[], as);
}

/**
 * Grouped steps of one kind done together in the caller's transaction (a loop's items): one call with their items, in
 * order; the first item's error is thrown (the caller's transaction then keeps none of them).
 */
export async function groupedItems(kind: GroupedKind, inputs: readonly StepInput[], commands: CoreCommands, as: ActingRole): Promise<Output[]> {
  const answers = await callGrouped(groupedSteps[kind].call, commands, inputs.map((input): object => groupedSteps[kind].item(input)), as);
  return answers.map((answer) => {
    if ('error' in answer) throw answer.error;
    return answer.value;
  });
}

/** A grouped step alone (its transaction acting as the step): the call with one item, its error thrown. */
export async function groupedStep(kind: GroupedKind, input: StepInput, commands: CoreCommands, as: ActingRole): Promise<Output> {
  return (await groupedItems(kind, [input], commands, as))[0]!;
}
