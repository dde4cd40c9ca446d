// What the steps that run a core command write: the object, the action and the fields — declared here once, for the
// check at publish (the publishing key's role must be able to make that write). When the step runs, the command
// itself acts as the role (`commands.<name>(input, { as })`) and the data layer decides again, on the role's current
// grants; neither place decides anything itself: core's `Permissions` does.
import type { Step } from '../definition/document.js';

export interface CommandWrite {
  object: string;
  action: 'create' | 'update';
  /** The fields the step sets, as the object names them (a field left out is not written; defaults count). */
  fields(step: Step): string[];
  /** The step's key that sets `field` (errors name it). @default the field's name (`dueAt` from `dueIn` when given) */
  keyOf?(field: string): string;
}

/** A step's own keys that are fields of the record it creates (`dueIn` sets `dueAt`; a default customer is written). */
const created = (defaults: readonly string[]) => (step: Step) => {
  const keys = Object.keys(step).filter((key) => !['id', 'kind', 'name'].includes(key));
  return [...new Set([...keys.map((key) => (key === 'dueIn' ? 'dueAt' : key)), ...defaults])];
};

export const commandWrites: Partial<Record<Step['kind'], CommandWrite>> = {
  createTask: { object: 'Task', action: 'create', fields: created(['customerId']) },
  createDeal: { object: 'Deal', action: 'create', fields: created(['customerId', 'pipelineId', 'stageId']) },
  logActivity: { object: 'Activity', action: 'create', fields: created(['customerId']) },
  addTag: { object: 'Customer', action: 'update', fields: () => ['tags'], keyOf: () => 'tag' },
  removeTag: { object: 'Customer', action: 'update', fields: () => ['tags'], keyOf: () => 'tag' },
};
