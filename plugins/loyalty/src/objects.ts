import { defineObject } from '@crm/plugin-sdk';
import { POINTS } from './points.js';

/**
 * The reward catalog, declared once: `loyaltyRewards(filter, orderBy, search)` with aggregates,
 * `loyaltyRewardsGroupBy`, `loyaltyReward(id)` and the one-statement read engine come from this declaration
 * (docs/architecture.md). `rewards(activeOnly)` stays the catalog as a shop shows it.
 */
export const LoyaltyReward = defineObject({
  name: 'LoyaltyReward',
  plural: 'loyaltyRewards',
  single: 'loyaltyReward',
  description: 'A reward of the catalog, bought with points (`redeemReward`).',
  // A workspace's ADMIN may add fields (`object: LOYALTY_REWARD`), checked by `createReward` (`scope.customValues`).
  customFields: true,
  fields: {
    id: { kind: 'id', sort: true },
    name: { kind: 'string', sort: true, search: 'A' },
    costPoints: { kind: 'int', sort: true, group: true },
    active: { kind: 'boolean', group: true },
    createdAt: { kind: 'datetime', sort: true, group: true },
    updatedAt: { kind: 'datetime', sort: true },
  },
  defaultOrder: [
    { field: 'costPoints', direction: 'asc' },
    { field: 'name', direction: 'asc' },
  ],
});

/**
 * A customer's membership, declared once: `loyaltyAccounts(filter, orderBy)` with aggregates over the 64-bit
 * balances, `loyaltyAccountsGroupBy` (by tier), `loyaltyAccount(id)`, the `transactions` connection with its filter
 * and order, and the read engine. The tier object, the customer's id and `Customer.loyalty` stay resolvers
 * (graphql/types.ts).
 */
export const LoyaltyAccount = defineObject({
  name: 'LoyaltyAccount',
  plural: 'loyaltyAccounts',
  single: 'loyaltyAccount',
  description: "A customer's loyalty membership. `points` always equals the sum of `transactions`.",
  fields: {
    id: { kind: 'id', sort: true },
    customerId: { kind: 'reference', references: 'Customer' },
    points: { kind: 'bigint', sort: true, description: POINTS },
    lifetimePoints: { kind: 'bigint', sort: true, description: POINTS },
    // Output as the `LoyaltyTier` object (graphql/types.ts); filtered, sorted and grouped by its name.
    tier: { kind: 'string', nullable: true, sort: true, group: true, expose: false, description: 'The current tier’s name.' },
    tierSince: { kind: 'datetime', nullable: true, sort: true },
    createdAt: { kind: 'datetime', sort: true, group: true },
  },
  relations: {
    transactions: { kind: 'toMany', target: 'LoyaltyTransaction', key: 'accountId', order: [{ field: 'occurredAt', direction: 'desc' }] },
  },
  defaultOrder: [{ field: 'createdAt', direction: 'desc' }],
});

/** One line of an account's ledger, declared once (append-only: written by the plugin's commands only). */
export const LoyaltyTransaction = defineObject({
  name: 'LoyaltyTransaction',
  plural: 'loyaltyTransactions',
  single: 'loyaltyTransaction',
  fields: {
    id: { kind: 'id', sort: true },
    accountId: { kind: 'reference', references: 'LoyaltyAccount', group: true },
    kind: { kind: 'enum', enum: 'LoyaltyTransactionKind', group: true },
    points: { kind: 'bigint', sort: true, description: `Signed: credits positive, debits negative. ${POINTS}` },
    qualifying: { kind: 'boolean', group: true, expose: false },
    // The unspent part of a credit: the ledger's own bookkeeping, not read from outside.
    remaining: { kind: 'bigint', expose: false, filter: false, aggregate: false },
    reason: { kind: 'string', nullable: true },
    occurredAt: { kind: 'datetime', sort: true, group: true },
  },
  relations: {
    account: { kind: 'toOne', target: 'LoyaltyAccount', key: 'accountId', expose: false },
  },
  defaultOrder: [{ field: 'occurredAt', direction: 'desc' }],
});
