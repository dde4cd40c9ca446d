import type { Builder } from './builder.js';

export interface PayloadField {
  /** The name of an object type registered by another module (Prisma object types are named by their model). */
  type: string;
  nullable?: boolean;
  description?: string;
}

/**
 * A mutation payload naming what changed, e.g. `RecordOrderPayload { order: Order!, customer: Customer! }`.
 * (Relay-style payloads leave room for more fields later without breaking clients.)
 *
 * Types are named by string because their refs live in other modules; Pothos does not type string names of
 * prisma objects, so this is the one place that casts.
 */
export function payloadObject<Shape extends object>(builder: Builder, name: string, fields: { [K in keyof Shape & string]: PayloadField }) {
  return builder.objectRef<Shape>(name).implement({
    fields: (t) =>
      Object.fromEntries(
        (Object.entries(fields) as [string, PayloadField][]).map(([field, spec]) => [
          field,
          t.field({
            type: spec.type as never,
            nullable: spec.nullable ?? false,
            description: spec.description,
            resolve: (payload: Shape) => payload[field as keyof Shape] as never,
          }),
        ]),
      ),
  });
}

/** A payload with one field, e.g. `CreateCustomerPayload { customer: Customer! }`. */
export function payloadType(builder: Builder, name: string, field: string, type: string) {
  return payloadObject<Record<string, unknown>>(builder, name, { [field]: { type } });
}

/** The payload of a delete: the global id of the deleted row. */
export function deletedPayloadType(builder: Builder, name: string, field: string) {
  return builder.objectRef<{ deletedId: string }>(name).implement({
    fields: (t) => ({ [field]: t.id({ resolve: (payload) => payload.deletedId }) }),
  });
}
