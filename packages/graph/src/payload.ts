import type { Builder } from './builder.js';

/**
 * A mutation payload with one field naming what changed, e.g. `CreateCustomerPayload { customer: Customer! }`.
 * (Relay-style payloads keep room for more fields later without breaking clients.)
 */
export function payloadType<Field extends string, Model extends string>(builder: Builder, name: string, field: Field, type: Model) {
  return builder.objectRef<Record<Field, unknown>>(name).implement({
    fields: (t) => ({
      [field]: t.field({ type: type as never, resolve: (payload: Record<Field, unknown>) => payload[field] as never }),
    }),
  });
}

/** The payload of a delete: the global id of the deleted row. */
export function deletedPayloadType(builder: Builder, name: string, field: string) {
  return builder.objectRef<{ deletedId: string }>(name).implement({
    fields: (t) => ({ [field]: t.id({ resolve: (payload) => payload.deletedId }) }),
  });
}
