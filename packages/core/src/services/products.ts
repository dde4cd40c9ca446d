import type { Prisma, Product, ScopedTransaction } from '@crm/db';
import type { Caller } from '../command.js';
import { badInput, conflict, type CrmError, notFound } from '../errors.js';
import { changedKeys } from '../references.js';
import { fieldChanges } from '../field-changes.js';
import { lockForUpdate } from '../record-lock.js';
import { fields, parseInput, z } from '../validation.js';
import type { UpdateRule } from './bulk/declared-update-batch.js';

/** A stock-keeping unit as the source system spells it (kept case-sensitive: "AB-1" and "ab-1" may differ). */
export const skuField = z.string().trim().min(1, 'Must not be empty').max(100, 'At most 100 characters');

const productFields = {
  sku: skuField,
  name: fields.name,
  unitPrice: fields.nonNegativeMoney,
  unitCost: fields.nonNegativeMoney.nullish(),
  category: fields.shortText.nullish(),
  active: z.boolean().nullish(),
};

export const createProductInput = z.object(productFields);
export const updateProductInput = z.object({
  id: fields.id,
  sku: fields.kept(skuField),
  name: fields.kept(fields.name),
  unitPrice: fields.kept(fields.nonNegativeMoney),
  unitCost: fields.nonNegativeMoney.nullish(),
  category: fields.shortText.nullish(),
  active: fields.kept(z.boolean()),
  expectedUpdatedAt: fields.expectedUpdatedAt,
});

export type CreateProductInput = z.input<typeof createProductInput>;
export type UpdateProductInput = z.input<typeof updateProductInput>;

/**
 * Runs a write guarded by a unique index and turns a violation into `error`. The services check for duplicates first
 * (clear message); this covers a concurrent command winning the race, where Prisma 7's error does not name the field.
 */
export async function conflictOnDuplicate<T>(write: Promise<T>, error: CrmError): Promise<T> {
  try {
    return await write;
  } catch (cause) {
    if (typeof cause === 'object' && cause !== null && (cause as { code?: unknown }).code === 'P2002') throw error;
    throw cause;
  }
}

/** CONFLICT on `sku` when another product of the workspace has it (the unique index catches a race). */
async function assertSkuFree(tx: ScopedTransaction, sku: string, exceptId?: string): Promise<void> {
  const taken = await tx.product.findFirst({ where: { sku, ...(exceptId ? { id: { not: exceptId } } : {}) }, select: { id: true } });
  if (taken) throw skuConflict(sku);
}

export const skuConflict = (sku: string) => conflict(`A product with sku "${sku}" already exists`, 'sku');

/**
 * SKUs held by other products of the workspace, for a batch (`id` excepted; null: a new product), in one statement:
 * by row, its CONFLICT as `assertSkuFree` answers it, or undefined. Two rows of the batch with one SKU meet the
 * unique index, and the batch runs again row by row.
 */
export async function skuConflicts(tx: ScopedTransaction, rows: readonly { sku?: string | null; id: string | null }[]): Promise<(CrmError | undefined)[]> {
  const skus = [...new Set(rows.map((row) => row.sku).filter((sku): sku is string => !!sku))];
  const taken = skus.length ? await tx.product.findMany({ where: { sku: { in: skus } }, select: { id: true, sku: true } }) : [];
  const holder = new Map(taken.map((product) => [product.sku, product.id]));
  return rows.map(({ sku, id }) => {
    const owner = sku ? holder.get(sku) : undefined;
    return owner && owner !== id ? skuConflict(sku!) : undefined;
  });
}

/** The row createProduct inserts (the batch writer inserts the same). */
export function newProductRow(workspaceId: string, input: z.output<typeof createProductInput>) {
  return {
    workspaceId,
    sku: input.sku,
    name: input.name,
    unitPrice: input.unitPrice,
    unitCost: input.unitCost ?? null,
    category: input.category || null,
    active: input.active ?? true,
  } satisfies Prisma.ProductUncheckedCreateInput;
}

/** What updateProduct writes (undefined: unchanged; a required field's null is refused by the schema: `fields.kept`). */
export function productChange(input: z.output<typeof updateProductInput>) {
  return {
    sku: input.sku ?? undefined,
    name: input.name ?? undefined,
    unitPrice: input.unitPrice ?? undefined,
    unitCost: input.unitCost,
    category: input.category === undefined ? undefined : input.category || null,
    active: input.active ?? undefined,
  } satisfies Prisma.ProductUncheckedUpdateInput;
}

/** The fields product.updated reports, from the row before and after. */
export const productChanges = (before: Product, after: Product) => fieldChanges(before, after, ['sku', 'name', 'unitPrice', 'unitCost', 'category', 'active']);

/** What updateProduct does to a product (its batch too, core-writers.ts: SKUs checked once for the batch). */
export const productUpdate: UpdateRule<Product, z.output<typeof updateProductInput>, Prisma.ProductUncheckedUpdateInput, void> = {
  schema: updateProductInput,
  change: (input) => productChange(input),
  checkBatch: (scope, inputs) => skuConflicts(scope.tx, inputs.map((input) => ({ sku: input.sku, id: input.id }))),
  announce(scope, before, product) {
    const changes = productChanges(before, product);
    if (changes.changed.length) scope.emit('product.updated', { type: 'Product', id: product.id }, changes);
  },
};

export async function createProduct(caller: Caller, raw: CreateProductInput): Promise<Product> {
  const input = parseInput(createProductInput, raw);
  return caller.run(async (scope) => {
    await assertSkuFree(scope.tx, input.sku);
    const write = scope.tx.product.create({ data: newProductRow(scope.session.workspaceId, input) });
    const product = await conflictOnDuplicate(write, skuConflict(input.sku));
    scope.emit('product.created', { type: 'Product', id: product.id }, { sku: product.sku });
    return product;
  });
}

/** Changes the fields given. Past orders keep the prices and costs they were recorded with. */
export async function updateProduct(caller: Caller, raw: UpdateProductInput): Promise<Product> {
  const input = parseInput(updateProductInput, raw);
  return caller.run(async (scope) => {
    const { tx } = scope;
    await lockForUpdate(scope, 'Product', input.id, { expectedUpdatedAt: input.expectedUpdatedAt });
    const before = await tx.product.findUnique({ where: { id: input.id } });
    if (!before) throw notFound('Product', 'id');
    const data = productUpdate.change(input, before, undefined)!;
    if (input.sku) await assertSkuFree(tx, input.sku, input.id);
    const product = await conflictOnDuplicate(tx.product.update({ where: { id: input.id }, data }), skuConflict(input.sku ?? ''));
    productUpdate.announce(scope, before, product, input);
    return product;
  });
}
