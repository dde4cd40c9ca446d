import { eventSubjectObject, EventReaders, grantsWrite, type ObjectCatalog, Permissions, scrubEventPayload, type Session } from '@crm/core';
import type { Role } from '@crm/db';
import type { ClaimedDelivery, DeliveryEvent } from './delivery-queue.js';

/** The role columns a claimed delivery carries from its webhook (and its custom role, when it has one). */
export type DeliveryRole = Pick<ClaimedDelivery, 'workspaceId' | 'webhookId' | 'role' | 'customRoleId' | 'customRoleName' | 'customRoleGrants'>;

/** Permissions kept per distinct role (a role's grants are part of the key, so a changed role gets new ones). */
const MAX_CACHED = 200;

/**
 * What a webhook's receiver gets to see: the webhook delivers as its role (built-in or custom) and acts as no team
 * member. Its payloads go through the same scrubbing as subscriptions and the audit log (`scrubEventPayload`: fields
 * the role does not read are null, and left out of `changes`/`changed`); an event about an object the role does not
 * read, or one under "own records only" (no user: no row is its own), or a plugin event the role does not read
 * (`EventReaders`), is not delivered at all.
 */
export class DeliveryAudience {
  readonly #permissions = new Map<string, Permissions>();

  constructor(
    private readonly catalog: () => ObjectCatalog,
    private readonly readers: EventReaders = EventReaders.none,
  ) {}

  /** The event as the webhook's role sees it, or null when that role does not see it (it is then not delivered). */
  eventFor(delivery: DeliveryRole & { event: DeliveryEvent }): DeliveryEvent | null {
    const catalog = this.catalog();
    const permissions = this.permissionsOf(delivery, catalog);
    const object = eventSubjectObject(catalog, delivery.event);
    if (object && (!permissions.can(object, 'read') || permissions.ownerField(object))) return null;
    if (!this.readers.reads(permissions, delivery.event.type)) return null;
    const payload = scrubEventPayload(permissions, object, delivery.event.payload ?? {});
    return payload === delivery.event.payload ? delivery.event : { ...delivery.event, payload };
  }

  private permissionsOf(delivery: DeliveryRole, catalog: ObjectCatalog): Permissions {
    const key = JSON.stringify([delivery.workspaceId, delivery.role, delivery.customRoleId, delivery.customRoleGrants]);
    let permissions = this.#permissions.get(key);
    if (!permissions) {
      if (this.#permissions.size >= MAX_CACHED) this.#permissions.clear();
      permissions = Permissions.of(webhookSession(delivery), catalog);
      this.#permissions.set(key, permissions);
    }
    return permissions;
  }
}

/**
 * The session a webhook delivers as: its role, no user. A custom role counts as MEMBER or READ_ONLY for fields with a
 * declared read role, as it does for a key (`sessionOfKey`).
 */
function webhookSession(delivery: DeliveryRole): Session {
  const grants = delivery.customRoleId ? delivery.customRoleGrants : null;
  const role: Role = grants ? (grantsWrite(grants) ? 'MEMBER' : 'READ_ONLY') : delivery.role;
  return {
    workspaceId: delivery.workspaceId,
    role,
    actor: `webhook:${delivery.webhookId}`,
    ...(grants ? { customRole: { id: delivery.customRoleId!, name: delivery.customRoleName ?? '', grants } } : {}),
  };
}
