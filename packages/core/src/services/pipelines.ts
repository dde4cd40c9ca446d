import { type Pipeline, Prisma, type ScopedPrisma, type ScopedTransaction, type Stage } from '@crm/db';
import type { Caller } from '../command.js';
import { badInput, conflict, notFound } from '../errors.js';
import { changedKeys } from '../references.js';
import { lockForUpdate } from '../record-lock.js';
import { fields, parseInput, z } from '../validation.js';

const probability = z.number().int('A whole number of percent').min(0, 'At least 0').max(100, 'At most 100');

const stageInput = z.object({
  name: fields.name,
  probability,
  isWon: z.boolean().nullish(),
  isLost: z.boolean().nullish(),
});

/** Stage names compare trimmed and case-insensitively ("Won" and "won " are the same stage to a person). */
const nameKey = (name: string) => name.trim().toLowerCase();

export const createPipelineInput = z.object({
  name: fields.name,
  stages: z
    .array(stageInput)
    .min(2, 'A pipeline has at least 2 stages')
    .max(30, 'At most 30 stages')
    .superRefine((stages, ctx) => {
      const seen = new Set<string>();
      stages.forEach((stage, i) => {
        if (stage.isWon && stage.isLost) ctx.addIssue({ code: 'custom', message: 'A stage cannot be both won and lost', path: [i, 'isLost'] });
        const key = nameKey(stage.name);
        if (seen.has(key)) ctx.addIssue({ code: 'custom', message: `Stage names must be unique ("${stage.name}")`, path: [i, 'name'] });
        seen.add(key);
      });
      if (stages.filter((s) => s.isWon).length !== 1) ctx.addIssue({ code: 'custom', message: 'A pipeline has exactly one won stage' });
      if (stages.filter((s) => s.isLost).length !== 1) ctx.addIssue({ code: 'custom', message: 'A pipeline has exactly one lost stage' });
    }),
});

export const renamePipelineInput = z.object({ id: fields.id, name: fields.name });
export const updateStageInput = z.object({ id: fields.id, name: fields.kept(fields.name), probability: fields.kept(probability) });

export type PipelineWithStages = Pipeline & { stages: Stage[] };

export async function createPipeline(caller: Caller, raw: z.input<typeof createPipelineInput>): Promise<PipelineWithStages> {
  const input = parseInput(createPipelineInput, raw);
  return caller.run(async (scope) => {
    const { tx } = scope;
    await assertPipelineNameFree(tx, input.name, null);
    const pipeline = await tx.pipeline.create({ data: { workspaceId: scope.session.workspaceId, name: input.name, isDefault: false } });
    // Positions follow the input order: that order is what `Pipeline.stages` returns.
    await tx.stage.createMany({
      data: input.stages.map((stage, position) => ({
        workspaceId: scope.session.workspaceId,
        pipelineId: pipeline.id,
        position,
        name: stage.name,
        probability: stage.probability,
        isWon: stage.isWon ?? false,
        isLost: stage.isLost ?? false,
      })),
    });
    const stages = await tx.stage.findMany({ where: { pipelineId: pipeline.id }, orderBy: { position: 'asc' } });
    scope.emit('pipeline.created', { type: 'Pipeline', id: pipeline.id }, { name: pipeline.name });
    return { ...pipeline, stages };
  });
}

export async function renamePipeline(caller: Caller, raw: z.input<typeof renamePipelineInput>): Promise<Pipeline> {
  const input = parseInput(renamePipelineInput, raw);
  return caller.run(async (scope) => {
    await lockForUpdate(scope, 'Pipeline', input.id);
    const before = await scope.tx.pipeline.findUnique({ where: { id: input.id } });
    if (!before) throw notFound('Pipeline', 'id');
    if (before.name === input.name) return before;
    await assertPipelineNameFree(scope.tx, input.name, input.id);
    const pipeline = await scope.tx.pipeline.update({ where: { id: input.id }, data: { name: input.name } });
    scope.emit('pipeline.updated', { type: 'Pipeline', id: pipeline.id }, { changed: ['name'] });
    return pipeline;
  });
}

/** Renames a stage or changes its win probability; which stages are won or lost stays fixed. */
export async function updateStage(caller: Caller, raw: z.input<typeof updateStageInput>): Promise<Stage> {
  const input = parseInput(updateStageInput, raw);
  return caller.run(async (scope) => {
    const { tx } = scope;
    await lockForUpdate(scope, 'Stage', input.id);
    const before = await tx.stage.findUnique({ where: { id: input.id } });
    if (!before) throw notFound('Stage', 'id');
    if (input.name && nameKey(input.name) !== nameKey(before.name)) {
      const siblings = await tx.stage.findMany({ where: { pipelineId: before.pipelineId, id: { not: before.id } }, select: { name: true } });
      if (siblings.some((s) => nameKey(s.name) === nameKey(input.name!))) {
        throw conflict(`The pipeline already has a stage named "${input.name}"`, 'name');
      }
    }
    const changed = changedKeys({ name: input.name, probability: input.probability });
    if (!changed.length) return before;
    const stage = await tx.stage.update({ where: { id: input.id }, data: { name: input.name ?? undefined, probability: input.probability ?? undefined } });
    scope.emit('stage.updated', { type: 'Stage', id: stage.id }, { pipelineId: stage.pipelineId, changed });
    return stage;
  });
}

async function assertPipelineNameFree(tx: ScopedTransaction, name: string, exceptId: string | null): Promise<void> {
  const clash = await tx.pipeline.count({
    where: { name: { equals: name, mode: 'insensitive' }, ...(exceptId ? { id: { not: exceptId } } : {}) },
  });
  if (clash) throw conflict(`A pipeline named "${name}" already exists`, 'name');
}

/** The pipeline new deals go to when none is named: the default one, else the oldest. */
export async function defaultPipeline(tx: ScopedTransaction | ScopedPrisma, field = 'pipelineId'): Promise<Pipeline> {
  const pipeline = await tx.pipeline.findFirst({ orderBy: [{ isDefault: 'desc' }, { createdAt: 'asc' }, { id: 'asc' }] });
  if (!pipeline) throw badInput('The workspace has no pipeline; create one first', field);
  return pipeline;
}

/** Sum of the pipeline's open deal amounts: one aggregate query. */
export async function pipelineOpenValue(db: ScopedPrisma, pipelineId: string): Promise<Prisma.Decimal> {
  const result = await db.deal.aggregate({ where: { pipelineId, status: 'OPEN' }, _sum: { amount: true } });
  return result._sum.amount ?? new Prisma.Decimal(0);
}

/**
 * Sum of open deal amounts weighted by their stage's win probability (amount × probability / 100): one grouped
 * aggregate query. `stages` carries the probabilities (the graph loads them with the pipeline row).
 */
export async function pipelineWeightedValue(
  db: ScopedPrisma,
  pipelineId: string,
  stages: readonly Pick<Stage, 'id' | 'probability'>[],
): Promise<Prisma.Decimal> {
  const sums = await db.deal.groupBy({ by: ['stageId'], where: { pipelineId, status: 'OPEN' }, _sum: { amount: true } });
  const probabilities = new Map(stages.map((s) => [s.id, s.probability]));
  let total = new Prisma.Decimal(0);
  for (const row of sums) {
    const amount = row._sum.amount ?? new Prisma.Decimal(0);
    total = total.plus(amount.times(probabilities.get(row.stageId) ?? 0).dividedBy(100));
  }
  return total;
}
