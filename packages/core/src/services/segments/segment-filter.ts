import { rfmSegments } from '@crm/analytics';
import { enums, type Prisma } from '@crm/db';
import { z } from 'zod';
import { badInput } from '../../errors.js';
import { customerAnalyticsWhere, type CustomerAnalyticsFilter } from '../analytics/customer-analytics.js';
import { type CustomerFilter, customerWhere } from '../customers.js';

const money = z.string().regex(/^-?\d{1,12}(\.\d{1,2})?$/, 'a decimal with at most 2 decimals');
const instant = z.string().datetime({ offset: true });
const uuid = z.string().uuid();

/**
 * A saved segment's filter as stored (JSON): the customer list's filter plus the analytic fields, with row ids and
 * ISO instants. Unknown keys are refused, so a stored filter always means what the list would do with it.
 */
export const segmentFilterSchema = z
  .object({
    lifecycleStage: z.array(z.nativeEnum(enums.LifecycleStage)).max(10).optional(),
    companyId: uuid.optional(),
    ownerId: uuid.optional(),
    tag: z.string().min(1).max(100).optional(),
    tagsAny: z.array(z.string().min(1).max(100)).max(50).optional(),
    source: z.array(z.nativeEnum(enums.Channel)).max(10).optional(),
    createdAfter: instant.optional(),
    createdBefore: instant.optional(),
    lifetimeValueMin: money.optional(),
    lifetimeValueMax: money.optional(),
    lastOrderAfter: instant.optional(),
    lastOrderBefore: instant.optional(),
    predictedLifetimeValueMin: money.optional(),
    predictedLifetimeValueMax: money.optional(),
    probabilityAliveMin: z.number().min(0).max(1).optional(),
    probabilityAliveMax: z.number().min(0).max(1).optional(),
    rfmSegment: z.array(z.enum(rfmSegments)).max(rfmSegments.length).optional(),
  })
  .strict();

export type SegmentFilter = z.infer<typeof segmentFilterSchema>;

/** Validates a filter (BAD_USER_INPUT on `filter.<field>`), dropping empty fields. */
export function parseSegmentFilter(raw: unknown): SegmentFilter {
  const cleaned = raw && typeof raw === 'object' ? Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== null && v !== undefined)) : raw;
  const parsed = segmentFilterSchema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = ['filter', ...issue.path.filter((p) => typeof p === 'string')].join('.');
    throw badInput(`${field}: ${issue.message}`, field);
  }
  return parsed.data;
}

/** The customers a stored filter selects, as a Prisma `where` (the same rules as the customer list). */
export function segmentCustomerWhere(stored: unknown): Prisma.CustomerWhereInput {
  const f = segmentFilterSchema.parse(stored);
  const date = (v: string | undefined) => (v ? new Date(v) : undefined);
  const base: CustomerFilter = {
    ...f,
    createdAfter: date(f.createdAfter),
    createdBefore: date(f.createdBefore),
    lastOrderAfter: date(f.lastOrderAfter),
    lastOrderBefore: date(f.lastOrderBefore),
  };
  const analytic: CustomerAnalyticsFilter = f;
  const scored = customerAnalyticsWhere(analytic);
  const plain = customerWhere(base, null);
  return Object.keys(scored).length ? { AND: [plain, scored] } : plain;
}
