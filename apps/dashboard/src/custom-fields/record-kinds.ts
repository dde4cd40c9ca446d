// The objects whose records carry custom values, named as the workspace's schema names them (docs/custom-fields.md):
// Customer and Company (built-in, values under `customFields` of their inputs) and the workspace's custom objects
// (`Contract`: `contract(id)`, `contracts`, `createContract`, `updateContract`, `deleteContract`, its fields its input's
// own). Pages and documents take a kind instead of naming one object.
import { customObjectNames } from '@crm/gateway/workspace-documents';
import type { Route } from '../router.js';
import type { FieldOwner } from './definitions.js';

export interface RecordKind {
  /** The GraphQL type: `Customer`, `Company`, `Contract`. */
  type: string;
  /** Its by-id root field (`customer`, `contract`). */
  single: string;
  /** Its list root field (`customers`, `contracts`: a custom object's `pluralName`). */
  plural: string;
  /** Whose custom fields: `customFields(object:)` or `customFields(customObjectId:)`. */
  owner: FieldOwner;
  /** Built-in objects take custom values under `customFields` of their inputs; a custom object's fields are the input's own. */
  nestedValues: boolean;
}

export const CUSTOMER: RecordKind = { type: 'Customer', single: 'customer', plural: 'customers', owner: { object: 'CUSTOMER' }, nestedValues: true };
export const COMPANY: RecordKind = { type: 'Company', single: 'company', plural: 'companies', owner: { object: 'COMPANY' }, nestedValues: true };

/** A custom object's kind: its root fields are named after it (`Contract` → `contract`, its plural `contracts`). */
export const customObjectKind = (object: { id: string; name: string; pluralName: string }): RecordKind => ({
  ...customObjectNames(object),
  owner: { customObjectId: object.id },
  nestedValues: false,
});

/** The page of a record of `type`: a customer's, a company's, or a custom object's record page. */
export function recordRoute(type: string, id: string): Route {
  if (type === 'Customer') return { page: 'customer', id };
  if (type === 'Company') return { page: 'company', id };
  return { page: 'record', object: type, id };
}
