// A step to be sent (HTTP, email) after its transaction commits: how long its RUNNING mark keeps it claimed, and the
// re-check, under that mark, that no later claim took the step meanwhile (else the later claim sends it, not this one).
import type { QueueContext, QueueItem } from '@crm/plugin-sdk';
import type { MailTransport } from '../mail/transport.js';
import type { WorkflowSettings } from '../settings.js';
import { externalSteps } from '../steps/step-kinds.js';
import type { DatabaseClock } from './database-clock.js';
import type { ExternalWork, StepScope } from './run-step.js';

/**
 * How long a step being sent (HTTP, email) stays claimed from its RUNNING mark: the send's time limit plus a lease (its
 * outcome's transaction comes after the send). Claimed for a lease only, a send slower than the lease would be found
 * RUNNING by the next claim: an email failed as "Interrupted while sending" while it is delivered, a request sent twice.
 * A sender without a time limit keeps the claim's lease.
 */
export type SendHold = (kind: ExternalWork['kind'], context: QueueContext<WorkflowSettings>) => number | null;

/** The claim's `SendHold`: the sender's time limit for the kind (the mail transport made only for an email step) plus `leaseMs`. */
export function sendHold(mail: () => MailTransport, leaseMs: number): SendHold {
  return (kind, context) => {
    const limit = externalSteps[kind]!.timeoutMs({
      http: context.http,
      get mail() {
        return mail(); // made only for an email step
      },
    });
    return limit === undefined ? null : limit + leaseMs;
  };
}

/**
 * When a step being sent for `heldFor` ms is due again, by the database's clock, which claims compare due times with
 * (not the gateway's, which may be skewed from it by more than the lease): the step's read's (database-clock.ts).
 */
export const heldUntil = (clock: DatabaseClock, heldFor: number): Date => new Date(clock.now().getTime() + heldFor);

/** A step to be sent was claimed again (its lease ended) before its RUNNING mark: the later claim does it. */
export class LostClaim extends Error {}

/**
 * Whether the step is still under `item`'s claim, read after this transaction wrote its row: a claim that came in
 * between (committed, or waited for by the write) shows in `claims`. test/lost-claim.postgres.test.ts.
 */
export async function stillClaimed(scope: StepScope, item: QueueItem): Promise<boolean> {
  const [row] = await scope.sql<{ claims: number }>`SELECT claims FROM "WorkflowStepRun" WHERE id = ${item.id}::uuid`;
  return row?.claims === item.claims;
}

