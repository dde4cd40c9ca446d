import { enums, Prisma, type SurveyKind, type SurveyResponse } from '@crm/db';
import type { Caller, CommandScope } from '../command.js';
import { assertInWorkspace } from '../references.js';
import { newRowId } from '../uuid.js';
import { fields, parseInput, z } from '../validation.js';
import { assertSameCustomer, pastOrPresentDate } from './activities.js';

/** Valid scores per survey kind: CSAT is 1-5 stars, NPS is the 0-10 "would you recommend us" scale. */
export const surveyScoreRange: Record<SurveyKind, { min: number; max: number }> = {
  CSAT: { min: 1, max: 5 },
  NPS: { min: 0, max: 10 },
};

export const recordSurveyResponseInput = z
  .object({
    customerId: fields.id,
    kind: z.enum(enums.SurveyKind),
    score: z.number().int('Must be a whole number'),
    comment: fields.text.nullish(),
    respondedAt: pastOrPresentDate.nullish(),
    ticketId: fields.id.nullish(),
  })
  .superRefine((input, ctx) => {
    const range = surveyScoreRange[input.kind];
    if (!range) return;
    const { min, max } = range;
    if (input.score < min || input.score > max) {
      ctx.addIssue({ code: 'custom', path: ['score'], message: `A ${input.kind} score is between ${min} and ${max}` });
    }
  });

export type RecordSurveyResponseInput = z.input<typeof recordSurveyResponseInput>;

type SurveyAnswer = { customerId: string; kind: SurveyKind; score: number; comment?: string | null; respondedAt?: Date | null; ticketId?: string | null };

/** Writes one answer and emits survey.responded; the caller has checked the references. */
export async function writeSurveyResponse(scope: CommandScope, data: SurveyAnswer): Promise<SurveyResponse> {
  return (await writeSurveyResponses(scope, [data]))[0]!;
}

/** {@link writeSurveyResponse} for many answers with one statement (tickets rated in a batch), in their order. */
export async function writeSurveyResponses(scope: CommandScope, answers: readonly SurveyAnswer[]): Promise<SurveyResponse[]> {
  if (!answers.length) return [];
  const now = new Date();
  const rows = answers.map((data) => ({
    id: newRowId(),
    workspaceId: scope.session.workspaceId,
    customerId: data.customerId,
    ticketId: data.ticketId ?? null,
    kind: data.kind,
    score: data.score,
    comment: data.comment ?? null,
    respondedAt: data.respondedAt ?? now,
  }));
  const written = new Map((await scope.tx.surveyResponse.createManyAndReturn({ data: rows })).map((row) => [row.id, row]));
  return rows.map((row) => {
    scope.emit('survey.responded', { type: 'SurveyResponse', id: row.id }, { customerId: row.customerId, kind: row.kind, score: row.score });
    return written.get(row.id)!;
  });
}

export async function recordSurveyResponse(caller: Caller, raw: RecordSurveyResponseInput): Promise<SurveyResponse> {
  const input = parseInput(recordSurveyResponseInput, raw);
  return caller.run(async (scope) => {
    await assertInWorkspace(scope.tx, 'customer', input.customerId, 'customerId');
    if (input.ticketId) await assertSameCustomer(scope.tx, 'ticket', input.ticketId, input.customerId, 'ticketId');
    return writeSurveyResponse(scope, input);
  });
}

export type NpsCategory = 'PROMOTER' | 'PASSIVE' | 'DETRACTOR';

/** The standard NPS buckets: 9-10 promote, 7-8 are passive, 0-6 detract. */
export function npsCategory(score: number | null | undefined): NpsCategory | null {
  if (score === null || score === undefined) return null;
  return score >= 9 ? 'PROMOTER' : score >= 7 ? 'PASSIVE' : 'DETRACTOR';
}

export interface CustomerSatisfaction {
  /** Mean CSAT score (two decimals); null without CSAT answers. */
  averageCsat: number | null;
  /** The most recent NPS score; null without NPS answers. */
  latestNps: number | null;
  npsCategory: NpsCategory | null;
  /** All survey answers, CSAT and NPS. */
  responses: number;
}

const noAnswers: CustomerSatisfaction = { averageCsat: null, latestNps: null, npsCategory: null, responses: 0 };

/**
 * Satisfaction summaries for many customers in ONE statement (a page of customers costs one query, not one each);
 * the result is in the order of `customerIds`.
 *
 * Raw SQL because "the latest NPS per customer" is not a Prisma groupBy; raw SQL bypasses the workspace scope,
 * so the statement names the workspace itself.
 */
export async function satisfactionByCustomer(caller: Caller, customerIds: readonly string[]): Promise<CustomerSatisfaction[]> {
  if (!customerIds.length) return [];
  const rows = await caller.db.$queryRaw<{ customerId: string; averageCsat: number | null; latestNps: number | null; responses: number }[]>(
    Prisma.sql`
      SELECT "customerId"::text AS "customerId",
             round(avg("score") FILTER (WHERE "kind" = 'CSAT'), 2)::float8 AS "averageCsat",
             (array_agg("score" ORDER BY "respondedAt" DESC, "id" DESC) FILTER (WHERE "kind" = 'NPS'))[1] AS "latestNps",
             count(*)::int AS "responses"
        FROM "SurveyResponse"
       WHERE "workspaceId" = ${caller.session.workspaceId}::uuid
         AND "customerId" = ANY(${[...customerIds]}::uuid[])
       GROUP BY "customerId"`,
  );
  const byCustomer = new Map(rows.map((row) => [row.customerId, row]));
  return customerIds.map((id) => {
    const row = byCustomer.get(id);
    if (!row) return noAnswers;
    return { averageCsat: row.averageCsat, latestNps: row.latestNps, npsCategory: npsCategory(row.latestNps), responses: row.responses };
  });
}
