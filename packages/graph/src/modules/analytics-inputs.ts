import { rfmSegments, type RfmSegment } from '@crm/analytics';

/** GraphQL names of the RFM segments (`CANT_LOSE_THEM` for "Can't lose them"). */
export const rfmSegmentValues = Object.fromEntries(
  rfmSegments.map((segment) => [segment.toUpperCase().replace(/[^A-Z]+/g, '_').replace(/^CAN_T/, 'CANT'), { value: segment, description: segment }]),
) as Record<string, { value: RfmSegment; description: string }>;
