// The loyalty plugin's action for other plugins (`loyalty.awardPoints`): enrols the customer when they have no
// account yet and credits points with a reason, exactly as a hand adjustment does (ledger, tier, event).
import { type ActionDefinition, notFound, z } from '@crm/plugin-sdk';
import type { loyaltyEvents } from './events.js';
import { accountFor, post } from './ledger.js';
import { toPoints } from './points.js';
import type { LoyaltySettings } from './settings.js';

const awardPointsInput = z.object({
  customerId: z.string().uuid('Not a valid id'),
  points: z.number().int('A whole number of points').positive('More than 0 points').max(100_000_000),
  reason: z.string().trim().min(1, 'Say why').max(500, 'At most 500 characters'),
});

/** What it returns (callers read it typed: a workflow's `{{steps.<id>.output.balance}}` is a number). */
const awardPointsOutput = z.object({ accountId: z.uuid().meta({ object: 'LoyaltyAccount' }), balance: z.number().int() });

export const awardPoints: ActionDefinition<LoyaltySettings, keyof typeof loyaltyEvents, z.output<typeof awardPointsInput>, z.output<typeof awardPointsOutput>> = {
  description: 'Enrols the customer if needed and credits points with a reason (e.g. a welcome bonus).',
  input: awardPointsInput,
  output: awardPointsOutput,
  // A caller acting as a role (a workflow's step, as its publisher) needs what crediting points by hand needs.
  permission: 'adjustPoints',
  async run({ customerId, points, reason }, { tx, emit, settings, session }) {
    const customer = await tx.customer.findUnique({ where: { id: customerId }, select: { id: true } });
    if (!customer) throw notFound('Customer', 'customerId');
    const scope = { tx, emit, settings, workspaceId: session.workspaceId };
    const account = await accountFor(scope, customerId);
    const after = await post(scope, account, { kind: 'ADJUST', points, reason });
    emit('loyalty.points_adjusted', { type: 'LoyaltyAccount', id: account.id }, { customerId, points, balance: toPoints(after.points), reason });
    return { accountId: account.id, balance: toPoints(after.points) };
  },
};
