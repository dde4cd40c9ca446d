// A claimed batch's chains (execute-step.ts) run in waves: each chain goes on until a step whose core command answers
// item by item (steps/grouped-steps.ts), and waits there; when every chain waits or is done, the waiting steps go to
// the core in one call per kind and acting role, and the chains go on, one at a time, in their order. A run's step
// therefore still runs after its predecessor, each chain's other statements are never interleaved with another's,
// and a batch of 16 runs' tag, tag, task is three waves of one call each instead of 48 calls.
import { type ActingRole, type CoreCommands, isCrmError } from '@crm/plugin-sdk';
import { callGrouped, type GroupedKind, groupedSteps, type StepCall } from '../steps/grouped-steps.js';
import type { StepInput } from '../steps/step-input.js';

type Output = Record<string, unknown>;

/** A grouped step's own failure (its record gone, its input or its role's rights refused): its chain stops, the others go on. */
export class StepRefused extends Error {
  constructor(readonly error: Error) {
    super(error.message);
  }
}

interface Waiting {
  item: object;
  settle(answer: { value: Output } | { error: Error }): void;
}

export class StepWaves {
  /** The steps waiting for the next call, by acting role (its value: versions of one publisher share it) and call. */
  private readonly waiting = new Map<string, { as: ActingRole; calls: Map<StepCall, Waiting[]> }>();
  /** Chains waiting for their turn after the next calls, in order. */
  private readonly parked: (() => void)[] = [];
  /** Ends the running chain's turn (it waits, or it is done). */
  private endTurn: () => void = () => {};

  constructor(private readonly commands: CoreCommands) {}

  /**
   * A grouped step of the running chain: waits for the next wave's call, then answers its output; `StepRefused` when
   * its item alone failed. `actor` names the chain's claimed step in the events its change causes.
   */
  async step(kind: GroupedKind, input: StepInput, as: ActingRole, actor: string): Promise<Output> {
    let item: object;
    try {
      item = { ...groupedSteps[kind].item(input), actor };
    } catch (error) {
      throw new StepRefused(error as Error);
    }
    const role = JSON.stringify(as);
    const calls = this.waiting.get(role)?.calls ?? new Map<StepCall, Waiting[]>();
    this.waiting.set(role, { as, calls });
    const call = groupedSteps[kind].call;
    const answer = new Promise<Output>((resolve, reject) => {
      const waiting = calls.get(call) ?? [];
      calls.set(call, waiting);
      waiting.push({ item, settle: (result) => ('error' in result ? reject(result.error) : resolve(result.value)) });
    });
    answer.catch(() => {}); // read after the chain's turn comes back
    await new Promise<void>((resume) => {
      this.parked.push(resume);
      this.endTurn();
    });
    return answer;
  }

  /**
   * Runs `chains` (each in turn until it waits or ends), then the waves, until every chain is done; throws the first
   * failure that is not a step's own (the batch's transaction then rolls back).
   */
  async run(chains: readonly (() => Promise<void>)[]): Promise<void> {
    const failures: unknown[] = [];
    const turn = (go: () => void) =>
      new Promise<void>((ended) => {
        this.endTurn = ended;
        go();
      });
    const start = (chain: () => Promise<void>) => () =>
      void chain()
        .catch((error: unknown) => void failures.push(error))
        .finally(() => this.endTurn());
    for (const chain of chains) {
      await turn(start(chain));
      if (failures.length) throw failures[0];
    }
    while (this.parked.length) {
      await this.call();
      for (const resume of this.parked.splice(0)) {
        await turn(resume);
        if (failures.length) throw failures[0];
      }
    }
  }

  /** One call per acting role and kind for the waiting steps; a call refused whole (a role below the command's floor) refuses each of its steps. */
  private async call(): Promise<void> {
    for (const { as, calls } of this.waiting.values()) {
      for (const [call, waiting] of calls) {
        let answers: ({ value: Output } | { error: Error })[];
        try {
          answers = await callGrouped(call, this.commands, waiting.map((w) => w.item), as);
        } catch (error) {
          // A CrmError is a refusal before any statement (the role's floor, its custom role gone); anything else is
          // the batch's failure, and the chains' steps fail with it (not as their own).
          for (const w of waiting) w.settle({ error: isCrmError(error) ? new StepRefused(error) : (error as Error) });
          continue;
        }
        waiting.forEach((w, i) => {
          const answer = answers[i]!;
          w.settle('error' in answer ? { error: new StepRefused(answer.error) } : answer);
        });
      }
    }
    this.waiting.clear();
  }
}
