// What each step kind outputs, so that `{{steps.<id>.output.<key>}}` is checked at publish. `null`: any key (an
// action's output is whatever the other plugin returns).
import type { StepKind } from './document.js';

export const stepOutputs: Record<StepKind, readonly string[] | null> = {
  condition: ['branch'],
  switch: ['branch'],
  forEach: ['count', 'outputs'],
  waitForEvent: ['received', 'event'],
  updateRecord: ['id', 'changed'],
  createTask: ['id', 'title', 'dueAt'],
  createDeal: ['id', 'title'],
  createRecord: ['id'],
  logActivity: ['id'],
  addTag: ['tags'],
  removeTag: ['tags'],
  httpRequest: ['status', 'body', 'truncated'],
  sendEmail: ['messageId'],
  wait: ['until'],
  callAction: null,
};

/** Outputs holding structured values, read deeper: a received event, a loop's outputs, an HTTP answer's body. */
export const openOutputs: ReadonlySet<string> = new Set(['event', 'outputs', 'body']);

/** Step kinds a `forEach` may do per item: those that only change the database (done in the loop's transaction). */
export const loopableKinds: ReadonlySet<StepKind> = new Set(['updateRecord', 'createTask', 'createDeal', 'createRecord', 'logActivity', 'addTag', 'removeTag', 'callAction']);
