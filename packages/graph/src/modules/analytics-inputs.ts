import { type CustomerAnalyticsFilter } from '@crm/core';
import { rfmSegments, type RfmSegment } from '@crm/analytics';
import type { Builder } from '../builder.js';

/** GraphQL names of the RFM segments (`CANT_LOSE_THEM` for "Can't lose them"). */
export const rfmSegmentValues = Object.fromEntries(
  rfmSegments.map((segment) => [segment.toUpperCase().replace(/[^A-Z]+/g, '_').replace(/^CAN_T/, 'CANT'), { value: segment, description: segment }]),
) as Record<string, { value: RfmSegment; description: string }>;

const registered = new WeakMap<Builder, ReturnType<typeof register>>();

/** The analytic parts of the customer filter and sort; registered once per builder, by whichever module asks first. */
export function registerAnalyticsInputs(builder: Builder) {
  let inputs = registered.get(builder);
  if (!inputs) registered.set(builder, (inputs = register(builder)));
  return inputs;
}

function register(builder: Builder) {
  const RfmSegmentEnum = builder.enumType('RfmSegment', {
    description: 'RFM segments on the recency × frequency quintile grid (see docs/analytics.md).',
    values: rfmSegmentValues,
  });
  const FloatRange = builder.inputType('FloatRange', {
    description: 'A number range, both ends inclusive; either may be left open.',
    fields: (t) => ({ min: t.float(), max: t.float() }),
  });
  return { RfmSegment: RfmSegmentEnum, FloatRange };
}

export type AnalyticsInputs = ReturnType<typeof registerAnalyticsInputs>;

/** The analytic filter fields as the core service takes them. */
export function toAnalyticsFilter(filter: {
  predictedLifetimeValue?: { min?: string | null; max?: string | null } | null;
  probabilityAlive?: { min?: number | null; max?: number | null } | null;
  rfmSegment?: RfmSegment[] | null;
}): CustomerAnalyticsFilter {
  return {
    predictedLifetimeValueMin: filter.predictedLifetimeValue?.min,
    predictedLifetimeValueMax: filter.predictedLifetimeValue?.max,
    probabilityAliveMin: filter.probabilityAlive?.min,
    probabilityAliveMax: filter.probabilityAlive?.max,
    rfmSegment: filter.rfmSegment,
  };
}
