// A subscriber's interest: which events of a workspace it needs delivered now. A subscriber that reacts to what a
// workspace has configured (the workflows plugin's `'*'` subscriber, to the workflows listening) says so, and the host
// delivers only those: an event outside the interest costs no transaction and leaves no delivery mark. The host keeps
// the interest per workspace and reads it again after the events that change it (`changedBy`); the guarantee is in
// docs/plugins/api-reference.md, "Subscribers: interest".
import type { CrmEventType } from '@crm/core';
import type { PluginSql } from './plugin-sql.js';
import type { RecordChange } from './record-access.js';

/** A record change the subscriber needs: of `object` (any declared object, or a custom object's name), `change` or any. */
export interface RecordInterest {
  object: string;
  /** @default every change of the object's records */
  change?: RecordChange['change'];
}

/**
 * What a subscriber needs in a workspace now: `'every'` event, or those of the `types` and those that stand for one of
 * the `records` changes (by the SDK's one rule, `objects.changeOf`; a subject no declared object knows, a custom
 * object's, by its subject type whatever the change).
 */
export type EventInterest = 'every' | { types?: readonly string[]; records?: readonly RecordInterest[] };

/** What `interest.of` gets: the workspace, and one read-only statement in it. */
export interface InterestContext {
  workspaceId: string;
  /** One read-only SQL statement in the workspace (outside any transaction). */
  sql: PluginSql;
}

/** The interest of a subscriber: how to read it, and which committed events change it. */
export interface SubscriberInterest {
  /** Reads what the subscriber needs in the workspace now (kept by the host until a `changedBy` event, 10 s at most). */
  of(context: InterestContext): Promise<EventInterest>;
  /**
   * The event types after which the interest is read again, in this process and on every other instance: every event
   * that can widen it (a workflow published or switched, a custom object renamed). Events that only narrow it may be
   * left out (the host then delivers a little more than needed until it reads it again).
   */
  changedBy: readonly CrmEventType[];
}
