// Objects whose updates are announced by more than one event, and which fields' changes each event carries: a deal's
// details come with `deal.updated`, its stage move with `deal.stage_changed`; a task's edits with `task.updated`, its
// completion by `completeTask` with `task.completed`. The command that emits the event computes its `changes` over
// exactly these fields (`fieldChanges`), so code that must say which event a change comes with (a workflow's dry run)
// reads it here rather than guessing from the event's name.
import type { Deal, Task } from '@crm/db';

export const updateEventFields = {
  'deal.updated': ['title', 'amount', 'currency', 'expectedCloseAt', 'ownerId', 'companyId', 'externalRef'],
  'deal.stage_changed': ['stageId', 'stageChangedAt', 'status', 'closedAt', 'lostReason'],
  'task.updated': ['title', 'notes', 'dueAt', 'assigneeId', 'status'],
  'task.completed': ['status', 'completedAt'],
} as const satisfies {
  'deal.updated': readonly (keyof Deal)[];
  'deal.stage_changed': readonly (keyof Deal)[];
  'task.updated': readonly (keyof Task)[];
  'task.completed': readonly (keyof Task)[];
};
