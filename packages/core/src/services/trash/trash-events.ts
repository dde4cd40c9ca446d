/** The objects that go to the trash when deleted (their GraphQL enum `TrashObject`, lower-cased in event names). */
export const trashObjectNames = ['customer', 'company', 'deal', 'ticket', 'task', 'product', 'activity'] as const;
export type TrashObjectName = (typeof trashObjectNames)[number];

/**
 * Payload of `X.trashed`, `X.restored` and `X.destroyed`. No personal data: the subject names the record, and
 * `customerId` (on a customer's deals, tickets, tasks, activities) files the event in that customer's history.
 */
export interface TrashEventPayload {
  reason: string | null;
  customerId?: string;
  /** Records trashed, restored or destroyed along with this one (a customer's deals, tickets, tasks, activities). */
  withRelated: number;
}

export type TrashEventMap = { [K in `${TrashObjectName}.${'trashed' | 'restored' | 'destroyed'}`]: TrashEventPayload };
