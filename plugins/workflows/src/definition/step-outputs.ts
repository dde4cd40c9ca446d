// What each step kind outputs, so that `{{steps.<id>.output.<key>}}` is checked at publish. `null`: any key (an
// action's output is whatever the other plugin returns).
import type { StepKind } from './document.js';

export const stepOutputs: Record<StepKind, readonly string[] | null> = {
  condition: ['branch'],
  updateRecord: ['id', 'changed'],
  createTask: ['id', 'title', 'dueAt'],
  logActivity: ['id'],
  addTag: ['tags'],
  removeTag: ['tags'],
  httpRequest: ['status'],
  sendEmail: ['messageId'],
  wait: ['until'],
  callAction: null,
};
