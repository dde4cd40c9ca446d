// The steps of a definition as the runner walks them: each step's successor (the next one in its list, else the
// step after the enclosing branching step), where each branch of a branching step starts, and which steps surely ran
// before it (those a template may refer to).
import type { Step } from './document.js';

export interface PlannedStep {
  step: Step;
  /** The step after this one (and after its branches); null at the end. */
  next: string | null;
  /**
   * Branching steps: where each branch starts (`next` when the branch is empty). `condition`: `then`, `else`;
   * `switch`: each case's name and `default`; `waitForEvent`: `received` (= next), `timedOut`.
   */
  branches: Readonly<Record<string, string | null>>;
  /** Steps that always ran before this one: earlier steps of its list and of every enclosing list, and the enclosing branching steps. */
  earlier: readonly string[];
  /** Where it sits in the definition, for error paths: `steps.2.then.0`. */
  path: string;
  /** Inside a `forEach`'s `do`: done by the loop, not a step of the run of its own. */
  inLoop: boolean;
}

export interface Plan {
  first: string;
  steps: ReadonlyMap<string, PlannedStep>;
}

/** The lists of steps nested in a branching step, by branch name, with their paths. */
function branchesOf(step: Step): { name: string; steps: readonly Step[]; path: string }[] {
  switch (step.kind) {
    case 'condition':
      return [
        { name: 'then', steps: step.then, path: 'then' },
        { name: 'else', steps: step.else, path: 'else' },
      ];
    case 'switch':
      return [...step.cases.map((c, i) => ({ name: c.name, steps: c.steps, path: `cases.${i}.steps` })), { name: 'default', steps: step.default, path: 'default' }];
    case 'waitForEvent':
      return [
        { name: 'received', steps: [], path: '' },
        { name: 'timedOut', steps: step.onTimeout, path: 'onTimeout' },
      ];
    default:
      return [];
  }
}

/** Builds the plan; step ids must be unique (`duplicates` lists the paths of any that are not). */
export function planOf(steps: readonly Step[]): Plan & { duplicates: string[] } {
  const planned = new Map<string, PlannedStep>();
  const duplicates: string[] = [];
  const add = (entry: PlannedStep) => {
    if (planned.has(entry.step.id)) duplicates.push(`${entry.path}.id`);
    else planned.set(entry.step.id, entry);
  };
  const walk = (list: readonly Step[], after: string | null, earlier: readonly string[], path: string): string | null => {
    let seen = [...earlier];
    list.forEach((step, i) => {
      const next = list[i + 1]?.id ?? after;
      const at = `${path}.${i}`;
      const branches: Record<string, string | null> = {};
      const entry: PlannedStep = { step, next, branches, earlier: seen, path: at, inLoop: false };
      add(entry);
      const inside = [...seen, step.id];
      for (const branch of branchesOf(step)) branches[branch.name] = walk(branch.steps, next, inside, `${at}.${branch.path}`);
      // The loop's step: checked like any other (its templates may name `item` and `index`), never queued.
      if (step.kind === 'forEach') add({ step: step.do, next: null, branches: {}, earlier: inside, path: `${at}.do`, inLoop: true });
      seen = [...seen, step.id];
    });
    return list[0]?.id ?? after;
  };
  const first = walk(steps, null, [], 'steps');
  return { first: first ?? '', steps: planned, duplicates };
}
