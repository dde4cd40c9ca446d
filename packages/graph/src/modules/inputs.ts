import type { Builder } from '../builder.js';

/** Range inputs shared by the list filters. */
export function registerRangeInputs(builder: Builder) {
  const DateTimeRange = builder.inputType('DateTimeRange', {
    description: 'A time range: `from` inclusive, `to` exclusive; either may be left open.',
    fields: (t) => ({ from: t.field({ type: 'DateTime' }), to: t.field({ type: 'DateTime' }) }),
  });
  const DecimalRange = builder.inputType('DecimalRange', {
    description: 'A money range, both ends inclusive; either may be left open.',
    fields: (t) => ({ min: t.field({ type: 'Decimal' }), max: t.field({ type: 'Decimal' }) }),
  });
  return { DateTimeRange, DecimalRange };
}

export type RangeInputs = ReturnType<typeof registerRangeInputs>;
