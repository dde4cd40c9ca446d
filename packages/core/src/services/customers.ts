import type { Customer, LifecycleStage, Prisma, ScopedTransaction } from '@crm/db';
import { queryRawIn } from '@crm/db';
import type { Caller, CommandScope } from '../command.js';
import { badInput, notFound } from '../errors.js';
import { fieldChanges } from '../field-changes.js';
import { jsonValue } from '../insert-rows.js';
import { lockAndRead } from '../record-lock.js';
import { newRowId } from '../uuid.js';
import { assertOptionalInWorkspace } from '../references.js';
import { phoneE164 } from './duplicates/match-keys.js';
import { fields, parseInput, z } from '../validation.js';
import { type CustomValues, customValuesOf } from '../custom-fields/field-values.js';

const lifecycleStages = ['PROSPECT', 'LEAD', 'CUSTOMER', 'ADVOCATE', 'CHURNED'] as const;
const channels = ['WEB', 'PHONE', 'CHAT', 'EMAIL', 'SOCIAL', 'IN_PERSON'] as const;

const customerFields = {
  name: fields.name,
  email: fields.email.nullish(),
  phone: fields.phone.nullish(),
  lifecycleStage: z.enum(lifecycleStages).nullish(),
  churnReason: fields.shortText.nullish(),
  source: z.enum(channels).nullish(),
  companyId: fields.id.nullish(),
  ownerId: fields.id.nullish(),
  tags: fields.tags.nullish(),
  externalRef: fields.externalRef.nullish(),
  attributes: z.record(z.string(), z.unknown()).nullish(),
  annualWallet: fields.nonNegativeMoney.nullish(),
  /** The workspace's custom fields by name, checked against their definitions (custom-fields/field-values.ts). */
  customFields: z.unknown().optional(),
};

export const createCustomerInput = z.object(customerFields);

/** The fields an update can change, as the history records them. */
const updatableCustomerFields = [...(Object.keys(customerFields) as (keyof typeof customerFields)[]), 'churnReason'] as const;
export const updateCustomerInput = z.object({ id: fields.id, ...customerFields, name: fields.kept(fields.name), expectedUpdatedAt: fields.expectedUpdatedAt });

/** Validated by the service; `attributes` arrives as any JSON and must be an object. */
export type CreateCustomerInput = Omit<z.input<typeof createCustomerInput>, 'attributes'> & { attributes?: unknown };
export type UpdateCustomerInput = Omit<z.input<typeof updateCustomerInput>, 'attributes'> & { attributes?: unknown };

/**
 * Records a stage change (history row + event); the caller updates the customer row itself, and holds its row lock
 * (`lockForUpdate`, or the UPDATE of an order), so `from` is the stage the previous change left. Each change is
 * stamped after the previous one even when the clock has not moved on: the history reads as a chain in time order.
 */
export async function recordStageChange(
  scope: CommandScope,
  customerId: string,
  from: LifecycleStage | null,
  to: LifecycleStage,
  reason: string | null,
): Promise<void> {
  // A new customer (from null) has no history yet.
  const previous = from === null ? null : await scope.tx.lifecycleChange.findFirst({ where: { customerId }, orderBy: { changedAt: 'desc' }, select: { changedAt: true } });
  const now = new Date();
  const changedAt = previous && previous.changedAt >= now ? new Date(previous.changedAt.getTime() + 1) : now;
  await scope.tx.lifecycleChange.create({
    data: { workspaceId: scope.session.workspaceId, customerId, fromStage: from, toStage: to, reason, actorId: scope.session.actor, changedAt },
  });
  scope.emit('customer.stage_changed', { type: 'Customer', id: customerId }, { from, to, reason });
}

type ParsedCreate = z.output<typeof createCustomerInput>;
type ParsedUpdate = z.output<typeof updateCustomerInput>;

/** A create input's stage, with the rule between stage and churn reason (BAD_USER_INPUT). */
export function newCustomerStage(input: ParsedCreate): LifecycleStage {
  const stage = input.lifecycleStage ?? 'PROSPECT';
  if (input.churnReason && stage !== 'CHURNED') throw badInput('churnReason is only kept for CHURNED customers', 'churnReason');
  return stage;
}

/** The row a create input makes (`createCustomer` and the bulk writer, customers-batch.ts, write the same). */
export function newCustomerRow(workspaceId: string, input: ParsedCreate, stage: LifecycleStage, customFields: CustomValues | undefined) {
  return {
    workspaceId,
    name: input.name,
    email: input.email ?? null,
    phone: input.phone ?? null,
    phoneE164: phoneE164(input.phone),
    lifecycleStage: stage,
    churnReason: input.churnReason ?? null,
    source: input.source ?? null,
    companyId: input.companyId ?? null,
    ownerId: input.ownerId ?? null,
    tags: input.tags ?? [],
    externalRef: input.externalRef ?? null,
    attributes: (input.attributes ?? {}) as Prisma.InputJsonObject,
    annualWallet: input.annualWallet ?? null,
    customFields: customFields as Prisma.InputJsonObject,
  } satisfies Prisma.CustomerUncheckedCreateInput;
}

export async function createCustomer(caller: Caller, raw: CreateCustomerInput): Promise<Customer> {
  const input = parseInput(createCustomerInput, raw);
  return caller.run(async (scope) => {
    const { tx } = scope;
    await assertOptionalInWorkspace(tx, 'company', input.companyId, 'companyId');
    await assertOptionalInWorkspace(tx, 'user', input.ownerId, 'ownerId');
    const stage = newCustomerStage(input);
    const customFields = await customValuesOf(scope, 'Customer', input.customFields, null, scope.permissions);
    const row = newCustomerRow(scope.session.workspaceId, input, stage, customFields);
    const reason = input.churnReason ?? null;
    if (scope.permissions?.restrictsRows) {
      // A custom role's write rules apply through the scoped client (own records, FORBIDDEN fields).
      const customer = await tx.customer.create({ data: row });
      scope.emit('customer.created', { type: 'Customer', id: customer.id }, { name: customer.name, lifecycleStage: stage });
      await recordStageChange(scope, customer.id, null, stage, reason);
      return customer;
    }
    const customer = await insertWithFirstStage(scope, row, reason);
    scope.emit('customer.created', { type: 'Customer', id: customer.id }, { name: customer.name, lifecycleStage: stage });
    scope.emit('customer.stage_changed', { type: 'Customer', id: customer.id }, { from: null, to: stage, reason });
    return customer;
  });
}

/**
 * A new customer and the first entry of its stage history (from nothing to its stage) in ONE statement, the row
 * returned whole in Prisma's types (raw results carry `Decimal`, `Date`, parsed JSON): the hot path of
 * `createCustomer` (a workflow's trigger), one round trip and no query compiler instead of two Prisma creates. Raw
 * SQL: only for callers whose rows no custom role restricts.
 */
async function insertWithFirstStage(scope: CommandScope, row: ReturnType<typeof newCustomerRow>, reason: string | null): Promise<Customer> {
  const now = new Date();
  const stamp = now.toISOString();
  const values: Record<string, unknown> = { id: newRowId(), createdAt: stamp, updatedAt: stamp, stageChangedAt: stamp };
  for (const [column, value] of Object.entries(row)) if (value !== undefined) values[column] = jsonValue(value);
  const columns = Object.keys(values)
    .map((column) => `"${column}"`)
    .join(', ');
  const [customer] = await queryRawIn<Customer>(
    scope.tx,
    `WITH c AS (
       INSERT INTO "Customer" (${columns}) SELECT ${columns} FROM jsonb_populate_record(NULL::"Customer", $1::jsonb) RETURNING *),
     first_stage AS (
       INSERT INTO "LifecycleChange" ("id", "workspaceId", "customerId", "fromStage", "toStage", "reason", "actorId", "changedAt")
       SELECT $2::uuid, c."workspaceId", c."id", NULL, c."lifecycleStage", $3::text, $4::text, $5::timestamptz FROM c)
     SELECT * FROM c`,
    JSON.stringify(values),
    newRowId(),
    reason,
    scope.session.actor,
    now,
  );
  return customer!;
}

/** What an update input changes on `before`: the Prisma data (undefined: unchanged) and the stage it leaves. */
export function customerChange(input: ParsedUpdate, before: Customer, customFields: CustomValues | undefined) {
  const stage = input.lifecycleStage ?? before.lifecycleStage;
  const stageChanged = stage !== before.lifecycleStage;
  if (input.churnReason && stage !== 'CHURNED') throw badInput('churnReason is only kept for CHURNED customers', 'churnReason');
  const data: Prisma.CustomerUncheckedUpdateInput = {
    name: input.name,
    email: input.email,
    phone: input.phone,
    phoneE164: input.phone === undefined ? undefined : phoneE164(input.phone),
    source: input.source,
    companyId: input.companyId,
    ownerId: input.ownerId,
    tags: input.tags ?? undefined,
    externalRef: input.externalRef,
    attributes: input.attributes === null ? {} : (input.attributes as Prisma.InputJsonObject | undefined),
    annualWallet: input.annualWallet,
    customFields: customFields as Prisma.InputJsonObject | undefined,
  };
  if (stageChanged) {
    data.lifecycleStage = stage;
    data.stageChangedAt = new Date();
    data.churnReason = stage === 'CHURNED' ? (input.churnReason ?? null) : null;
  } else if (input.churnReason !== undefined) {
    data.churnReason = input.churnReason;
  }
  return { data, stage, stageChanged };
}

/** The `customer.updated` payload: each changed field with its old and new value. */
export const customerChanges = (before: Customer, after: Customer) => fieldChanges(before, after, updatableCustomerFields);

export async function loadCustomer(tx: ScopedTransaction, id: string, field = 'id'): Promise<Customer> {
  const customer = await tx.customer.findUnique({ where: { id } });
  if (!customer) throw notFound('Customer', field);
  return customer;
}

export async function updateCustomer(caller: Caller, raw: UpdateCustomerInput): Promise<Customer> {
  const input = parseInput(updateCustomerInput, raw);
  return caller.run(async (scope) => {
    const { tx } = scope;
    const before = await lockAndRead(scope, 'Customer', input.id, () => tx.customer.findUnique({ where: { id: input.id } }), {
      expectedUpdatedAt: input.expectedUpdatedAt,
    });
    await assertOptionalInWorkspace(tx, 'company', input.companyId, 'companyId');
    await assertOptionalInWorkspace(tx, 'user', input.ownerId, 'ownerId');
    const customFields = await customValuesOf(scope, 'Customer', input.customFields, { id: before.id, values: before.customFields as CustomValues }, scope.permissions);
    const { data, stage, stageChanged } = customerChange(input, before, customFields);
    const customer = await tx.customer.update({ where: { id: input.id }, data });
    const changes = customerChanges(before, customer);
    if (changes.changed.length) scope.emit('customer.updated', { type: 'Customer', id: customer.id }, changes);
    if (stageChanged) await recordStageChange(scope, customer.id, before.lifecycleStage, stage, input.churnReason ?? null);
    return customer;
  });
}
