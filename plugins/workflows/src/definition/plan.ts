// The steps of a definition as the runner walks them: each step's successor (the next one in its list, else the
// step after the enclosing condition), a condition's first step of each branch, and which steps surely ran before
// it (those a template may refer to).
import type { Step } from './document.js';

export interface PlannedStep {
  step: Step;
  /** The step after this one (and after its branches, for a condition); null at the end. */
  next: string | null;
  /** Conditions: where each branch starts (`next` when the branch is empty). */
  then: string | null;
  else: string | null;
  /** Steps that always ran before this one: earlier steps of its list and of every enclosing list, and the enclosing conditions. */
  earlier: readonly string[];
  /** Where it sits in the definition, for error paths: `steps.2.then.0`. */
  path: string;
}

export interface Plan {
  first: string;
  steps: ReadonlyMap<string, PlannedStep>;
}

/** Builds the plan; step ids must be unique (`duplicates` lists the paths of any that are not). */
export function planOf(steps: readonly Step[]): Plan & { duplicates: string[] } {
  const planned = new Map<string, PlannedStep>();
  const duplicates: string[] = [];
  const walk = (list: readonly Step[], after: string | null, earlier: readonly string[], path: string): string | null => {
    let seen = [...earlier];
    list.forEach((step, i) => {
      const next = list[i + 1]?.id ?? after;
      const at = `${path}.${i}`;
      if (planned.has(step.id)) duplicates.push(`${at}.id`);
      const entry: PlannedStep = { step, next, then: null, else: null, earlier: seen, path: at };
      planned.set(step.id, entry);
      if (step.kind === 'condition') {
        const inside = [...seen, step.id];
        entry.then = walk(step.then, next, inside, `${at}.then`);
        entry.else = walk(step.else, next, inside, `${at}.else`);
      }
      seen = [...seen, step.id];
    });
    return list[0]?.id ?? after;
  };
  const first = walk(steps, null, [], 'steps');
  return { first: first ?? '', steps: planned, duplicates };
}
