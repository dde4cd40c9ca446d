import type { Prisma, Product, ScopedTransaction } from '@crm/db';
import type { Caller } from '../command.js';
import { badInput, conflict, type CrmError, notFound } from '../errors.js';
import { changedKeys } from '../references.js';
import { fieldChanges } from '../field-changes.js';
import { lockForUpdate } from '../record-lock.js';
import { fields, parseInput, z } from '../validation.js';

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
  sku: skuField.nullish(),
  name: fields.name.nullish(),
  unitPrice: fields.nonNegativeMoney.nullish(),
  unitCost: fields.nonNegativeMoney.nullish(),
  category: fields.shortText.nullish(),
  active: z.boolean().nullish(),
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

/** What updateProduct writes (undefined: unchanged); a required field given as null is BAD_USER_INPUT. */
export function productChange(input: z.output<typeof updateProductInput>) {
  for (const key of ['sku', 'name', 'unitPrice', 'active'] as const) {
    if (input[key] === null) throw badInput(`${key} cannot be removed`, key);
  }
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
    const data = productChange(input);
    if (input.sku) await assertSkuFree(tx, input.sku, input.id);
    const product = await conflictOnDuplicate(tx.product.update({ where: { id: input.id }, data }), skuConflict(input.sku ?? ''));
    const changes = productChanges(before, product);
    if (changes.changed.length) scope.emit('product.updated', { type: 'Product', id: product.id }, changes);
    return product;
  });
}
