import { hasTrashColumns, type ScopedTransaction, trashableModels, trashShapeOf } from '@crm/db';
import { badInput } from '../../errors.js';
import type { TrashObjectName } from './trash-events.js';

/** The Prisma delegate methods the trash uses, alike for every trashable model. */
export interface TrashDelegate {
  findFirst(args: object): Promise<Record<string, unknown> | null>;
  findMany(args: object): Promise<Record<string, unknown>[]>;
  count(args: object): Promise<number>;
  updateMany(args: object): Promise<{ count: number }>;
  deleteMany(args: object): Promise<{ count: number }>;
}

/** How one object goes to the trash: its model, and which records go (and come back) with it. */
export interface TrashObject {
  /** Lower camel case, as in its events (`customer.trashed`, `competitor.trashed`). */
  name: string;
  /** The Prisma model (and GraphQL type) name. */
  typename: string;
  delegate(tx: ScopedTransaction): TrashDelegate;
  /**
   * Records trashed with this one: those the database would delete with it (ON DELETE CASCADE). Restoring brings
   * back exactly these (`trashedWithId`); destroying removes them with it.
   */
  dependents: readonly { object: string; key: string }[];
  /** The customer whose history the events belong in, if any. */
  customerKey?: string;
}

const delegate = (model: 'customer' | 'company' | 'deal' | 'ticket' | 'task' | 'product' | 'activity') => (tx: ScopedTransaction) =>
  tx[model] as unknown as TrashDelegate;

/**
 * Related records that are not trashed with their parent keep pointing at it (a trashed customer's orders, survey
 * answers and campaign responses stay and count in reports; customers and deals keep their trashed company); links
 * to a trashed record read as null, and come back when it is restored. See docs/data.md.
 */
export const trashObjects: Record<TrashObjectName, TrashObject> = {
  customer: {
    name: 'customer',
    typename: 'Customer',
    delegate: delegate('customer'),
    dependents: [
      { object: 'deal', key: 'customerId' },
      { object: 'ticket', key: 'customerId' },
      { object: 'task', key: 'customerId' },
      { object: 'activity', key: 'customerId' },
    ],
  },
  company: { name: 'company', typename: 'Company', delegate: delegate('company'), dependents: [] },
  deal: { name: 'deal', typename: 'Deal', delegate: delegate('deal'), dependents: [{ object: 'task', key: 'dealId' }], customerKey: 'customerId' },
  ticket: { name: 'ticket', typename: 'Ticket', delegate: delegate('ticket'), dependents: [], customerKey: 'customerId' },
  task: { name: 'task', typename: 'Task', delegate: delegate('task'), dependents: [], customerKey: 'customerId' },
  product: { name: 'product', typename: 'Product', delegate: delegate('product'), dependents: [] },
  activity: { name: 'activity', typename: 'Activity', delegate: delegate('activity'), dependents: [], customerKey: 'customerId' },
};

const lowerFirst = (name: string) => name.charAt(0).toLowerCase() + name.slice(1);

/** A trashable model without a core entry (a plugin's): its trash follows from the schema (`trashShapeOf`). */
function derivedTrashObject(model: string): TrashObject {
  const { dependents, customerKey } = trashShapeOf(model);
  return {
    name: lowerFirst(model),
    typename: model,
    delegate: (tx) => (tx as unknown as Record<string, TrashDelegate>)[lowerFirst(model)]!,
    dependents: dependents.map((dependent) => ({ object: lowerFirst(dependent.model), key: dependent.key })),
    ...(customerKey ? { customerKey } : {}),
  };
}

const coreTypenames = new Set(Object.values(trashObjects).map((object) => object.typename));

/**
 * Every object with a trash: core's, then every other trashable model with the trash's columns (`hasTrashColumns` in
 * @crm/db), plugins' included. Restore, destroy and retention go through all of them.
 */
export const allTrashObjects: readonly TrashObject[] = [
  ...Object.values(trashObjects),
  ...trashableModels.filter((model) => !coreTypenames.has(model) && hasTrashColumns(model)).map(derivedTrashObject),
];

const byName = new Map(allTrashObjects.map((object) => [object.name, object]));
const byTypename = new Map(allTrashObjects.map((object) => [object.typename, object]));

/** The trash of an object by name (`customer`, `competitor`). */
export function trashObjectOf(name: string): TrashObject {
  const object = byName.get(name);
  if (!object) throw badInput(`${name} has no trash (its model has no deletedAt column)`, 'object');
  return object;
}

/** The trash of a declared object by its type name (`Customer`, `Competitor`), if it has one. */
export const trashObjectOfType = (typename: string): TrashObject | undefined => byTypename.get(typename);
