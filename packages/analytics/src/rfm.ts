/** The RFM segments, from the best customers to the lost ones. */
export const rfmSegments = ['Champions', 'Loyal', 'Potential loyalist', 'New', 'At risk', "Can't lose them", 'Hibernating', 'Lost'] as const;
export type RfmSegment = (typeof rfmSegments)[number];

/** One rule: recency and frequency scores (1–5, inclusive ranges); the first rule that matches names the segment. */
export interface RfmRule {
  segment: RfmSegment;
  recency: [number, number];
  frequency: [number, number];
}

/**
 * Segments on the recency × frequency grid (monetary value moves with frequency too closely to add much). Data, not
 * code, so that the SQL that materialises segments is generated from the same table as {@link rfmSegment}.
 *
 * | R \ F | 1 | 2 | 3 | 4 | 5 |
 * |---|---|---|---|---|---|
 * | 5 | New | Potential loyalist | Loyal | Champions | Champions |
 * | 4 | New | Potential loyalist | Loyal | Champions | Champions |
 * | 3 | Potential loyalist | Potential loyalist | Loyal | Loyal | Loyal |
 * | 2 | Hibernating | Hibernating | At risk | At risk | Can't lose them |
 * | 1 | Lost | Lost | At risk | Can't lose them | Can't lose them |
 */
export const rfmRules: readonly RfmRule[] = [
  { segment: 'Champions', recency: [4, 5], frequency: [4, 5] },
  { segment: 'Loyal', recency: [3, 5], frequency: [3, 5] },
  { segment: 'New', recency: [4, 5], frequency: [1, 1] },
  { segment: 'Potential loyalist', recency: [3, 5], frequency: [1, 2] },
  { segment: "Can't lose them", recency: [1, 2], frequency: [5, 5] },
  { segment: "Can't lose them", recency: [1, 1], frequency: [4, 4] },
  { segment: 'At risk', recency: [1, 2], frequency: [3, 4] },
  { segment: 'Hibernating', recency: [2, 2], frequency: [1, 2] },
  { segment: 'Lost', recency: [1, 1], frequency: [1, 2] },
];

/** The segment of recency and frequency scores 1–5. */
export function rfmSegment(recency: number, frequency: number): RfmSegment {
  const rule = rfmRules.find((r) => recency >= r.recency[0] && recency <= r.recency[1] && frequency >= r.frequency[0] && frequency <= r.frequency[1]);
  if (!rule) throw new RangeError(`RFM scores are 1–5 (got R=${recency}, F=${frequency})`);
  return rule.segment;
}

/**
 * A quintile score 1–5 from a percent rank (0 = lowest value, 1 = highest): 1 + ⌊5·rank⌋, capped at 5. Ties share
 * the lowest rank, so every customer with one order gets F = 1 however many they are. The SQL twin is
 * `LEAST(5, 1 + floor(5 * percent_rank() OVER (ORDER BY value)))`.
 */
export const quintileScore = (percentRank: number): number => Math.min(5, 1 + Math.floor(5 * percentRank));
