import type { Deal, DealStatus, Prisma, Stage } from '@crm/db';
import type { Caller, CommandScope } from '../command.js';
import { badInput, conflict, notFound } from '../errors.js';
import { formatMoney } from '../money.js';
import { fieldChanges } from '../field-changes.js';
import { updateEventFields } from '../update-events.js';
import { assertInWorkspace, assertOptionalInWorkspace, changedKeys } from '../references.js';
import { lockForUpdate } from '../record-lock.js';
import { fields, parseInput, z } from '../validation.js';
import type { UpdateRule } from './bulk/declared-update-batch.js';
import { loadCustomer } from './customers.js';
import { defaultPipeline } from './pipelines.js';

const lostReason = fields.shortText.pipe(z.string().min(1, 'Must not be empty'));

/** The fields of a new deal that do not name its customer (lead conversion reuses them). */
export const newDealFields = {
  title: fields.title,
  amount: fields.nonNegativeMoney.nullish(),
  currency: fields.currency.nullish(),
  pipelineId: fields.id.nullish(),
  stageId: fields.id.nullish(),
  expectedCloseAt: fields.date.nullish(),
  ownerId: fields.id.nullish(),
  companyId: fields.id.nullish(),
  lostReason: lostReason.nullish(),
  externalRef: fields.externalRef.nullish(),
};

export const newDealInput = z.object(newDealFields);
export const createDealInput = z.object({ customerId: fields.id, ...newDealFields });
export const updateDealInput = z.object({
  id: fields.id,
  title: fields.kept(fields.title),
  amount: fields.kept(fields.nonNegativeMoney),
  currency: fields.kept(fields.currency),
  expectedCloseAt: fields.date.nullish(),
  ownerId: fields.id.nullish(),
  companyId: fields.id.nullish(),
  externalRef: fields.externalRef.nullish(),
  expectedUpdatedAt: fields.expectedUpdatedAt,
});
export const moveDealInput = z.object({ id: fields.id, stageId: fields.id, lostReason: lostReason.nullish(), expectedUpdatedAt: fields.expectedUpdatedAt });

export type NewDealInput = z.output<typeof newDealInput>;

/** What a deal's status and close time are in a stage. */
function outcome(stage: Pick<Stage, 'isWon' | 'isLost'>): DealStatus {
  return stage.isWon ? 'WON' : stage.isLost ? 'LOST' : 'OPEN';
}

/** Emits deal.won / deal.lost when a deal arrives in a closing stage. */
function emitOutcome(scope: CommandScope, deal: Deal): void {
  const amount = formatMoney(deal.amount)!;
  if (deal.status === 'WON') scope.emit('deal.won', { type: 'Deal', id: deal.id }, { customerId: deal.customerId, amount });
  if (deal.status === 'LOST') scope.emit('deal.lost', { type: 'Deal', id: deal.id }, { customerId: deal.customerId, amount, reason: deal.lostReason });
}

/**
 * Creates a deal inside a running command. `prefix` is prepended to error fields (`deal.` when the deal is part of
 * a lead conversion), so a form can still point at the right field.
 */
export async function insertDeal(
  scope: CommandScope,
  customer: { id: string; companyId: string | null },
  input: NewDealInput,
  prefix = '',
): Promise<Deal> {
  const { tx } = scope;
  const at = (field: string) => `${prefix}${field}`;
  await assertOptionalInWorkspace(tx, 'user', input.ownerId, at('ownerId'));
  await assertOptionalInWorkspace(tx, 'company', input.companyId, at('companyId'));

  let stage: Stage | null = null;
  if (input.stageId) {
    stage = await tx.stage.findUnique({ where: { id: input.stageId } });
    if (!stage) throw notFound('Stage', at('stageId'));
  }
  let pipelineId: string;
  if (input.pipelineId) {
    await assertInWorkspace(tx, 'pipeline', input.pipelineId, at('pipelineId'));
    pipelineId = input.pipelineId;
  } else {
    pipelineId = (await defaultPipeline(tx, at('pipelineId'))).id;
  }
  if (stage && stage.pipelineId !== pipelineId) {
    throw badInput(`The stage belongs to another pipeline${input.pipelineId ? '' : ' (name its pipelineId too)'}`, at('stageId'));
  }
  if (!stage) {
    stage = await tx.stage.findFirst({ where: { pipelineId }, orderBy: { position: 'asc' } });
    if (!stage) throw badInput('The pipeline has no stages', at('pipelineId'));
  }

  const status = outcome(stage);
  if (input.lostReason && status !== 'LOST') throw badInput('lostReason is only kept for deals in a lost stage', at('lostReason'));
  const deal = await tx.deal.create({
    data: {
      workspaceId: scope.session.workspaceId,
      title: input.title,
      amount: input.amount ?? '0',
      currency: input.currency ?? undefined,
      customerId: customer.id,
      // Left out, the company is the customer's; null means "no company".
      companyId: input.companyId === undefined ? customer.companyId : input.companyId,
      pipelineId,
      stageId: stage.id,
      ownerId: input.ownerId ?? null,
      status,
      expectedCloseAt: input.expectedCloseAt ?? null,
      closedAt: status === 'OPEN' ? null : new Date(),
      lostReason: status === 'LOST' ? (input.lostReason ?? null) : null,
      externalRef: input.externalRef ?? null,
    },
  });
  scope.emit('deal.created', { type: 'Deal', id: deal.id }, { customerId: deal.customerId, title: deal.title, amount: formatMoney(deal.amount)!, stageId: stage.id });
  emitOutcome(scope, deal);
  return deal;
}

export async function createDeal(caller: Caller, raw: z.input<typeof createDealInput>): Promise<Deal> {
  const { customerId, ...input } = parseInput(createDealInput, raw);
  return caller.run(async (scope) => {
    const customer = await loadCustomer(scope.tx, customerId, 'customerId');
    return insertDeal(scope, customer, input);
  });
}

/** Locks the deal's row (record-lock.ts) and reads it. */
async function lockDeal(scope: CommandScope, id: string, expectedUpdatedAt?: Date | null): Promise<Deal> {
  await lockForUpdate(scope, 'Deal', id, { expectedUpdatedAt });
  return loadDeal(scope, id);
}

async function loadDeal(scope: CommandScope, id: string): Promise<Deal> {
  const deal = await scope.tx.deal.findUnique({ where: { id } });
  if (!deal) throw notFound('Deal', 'id');
  return deal;
}

/** What updateDeal does to a deal (its batch too, core-writers.ts): its details; its stage changes only through moveDeal. */
export const dealUpdate: UpdateRule<Deal, z.output<typeof updateDealInput>, Prisma.DealUncheckedUpdateInput, void> = {
  schema: updateDealInput,
  change(input) {
    if (!changedKeys(input).length) return null;
    const data: Prisma.DealUncheckedUpdateInput = {
      title: input.title ?? undefined,
      amount: input.amount ?? undefined,
      currency: input.currency ?? undefined,
      expectedCloseAt: input.expectedCloseAt,
      ownerId: input.ownerId,
      companyId: input.companyId,
      externalRef: input.externalRef,
    };
    return data;
  },
  announce(scope, before, deal) {
    const changes = fieldChanges(before, deal, updateEventFields['deal.updated']);
    if (changes.changed.length) scope.emit('deal.updated', { type: 'Deal', id: deal.id }, { customerId: deal.customerId, ...changes });
  },
};

/** Changes a deal's details ({@link dealUpdate}). */
export async function updateDeal(caller: Caller, raw: z.input<typeof updateDealInput>): Promise<Deal> {
  const input = parseInput(updateDealInput, raw);
  return caller.run(async (scope) => {
    const { tx } = scope;
    const before = await lockDeal(scope, input.id, input.expectedUpdatedAt);
    const data = dealUpdate.change(input, before, undefined);
    await assertOptionalInWorkspace(tx, 'user', input.ownerId, 'ownerId');
    await assertOptionalInWorkspace(tx, 'company', input.companyId, 'companyId');
    if (!data) return before;
    const deal = await tx.deal.update({ where: { id: input.id }, data });
    dealUpdate.announce(scope, before, deal, input);
    return deal;
  });
}

/**
 * Moves a deal to another stage of its pipeline. A won or lost stage closes the deal (a lost one needs a reason),
 * an open stage (re)opens it. Moving to the stage the deal is in changes nothing.
 */
export async function moveDeal(caller: Caller, raw: z.input<typeof moveDealInput>): Promise<Deal> {
  const input = parseInput(moveDealInput, raw);
  return caller.run(async (scope) => {
    const { tx } = scope;
    const before = await lockDeal(scope, input.id, input.expectedUpdatedAt);
    const stage = await tx.stage.findUnique({ where: { id: input.stageId } });
    if (!stage) throw notFound('Stage', 'stageId');
    if (stage.pipelineId !== before.pipelineId) throw badInput("The stage is not in the deal's pipeline", 'stageId');
    if (stage.id === before.stageId) return before;
    const status = outcome(stage);
    if (status === 'LOST' && !input.lostReason) throw badInput('Say why the deal was lost', 'lostReason');
    if (status !== 'LOST' && input.lostReason) throw badInput('lostReason is only kept when moving to a lost stage', 'lostReason');

    const now = new Date();
    // Conditional on the stage read above: a concurrent move makes this one fail instead of both emitting events.
    const { count } = await tx.deal.updateMany({
      where: { id: before.id, stageId: before.stageId },
      data: {
        stageId: stage.id,
        stageChangedAt: now,
        status,
        closedAt: status === 'OPEN' ? null : status === before.status ? before.closedAt : now,
        lostReason: status === 'LOST' ? input.lostReason! : null,
      },
    });
    if (count === 0) throw conflict('The deal was changed at the same time; reload it and try again', 'id');
    const deal = await loadDeal(scope, before.id);
    // The move's field changes ride on this event (the record's update, for history and record triggers), not on a
    // second `deal.updated`: one move is one update of the deal.
    const changes = fieldChanges(before, deal, updateEventFields['deal.stage_changed']);
    scope.emit('deal.stage_changed', { type: 'Deal', id: deal.id }, { customerId: deal.customerId, fromStageId: before.stageId, toStageId: stage.id, ...changes });
    if (status !== before.status) emitOutcome(scope, deal);
    return deal;
  });
}
