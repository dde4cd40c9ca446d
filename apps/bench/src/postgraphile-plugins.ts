// The PostGraphile v5 plugins the declared-lists benchmark (issue 14) gives its peer, so each of our queries has an
// equivalent: `postgraphile-plugin-connection-filter` with relation filters (Q5) and `@graphile/pg-aggregates`
// (Q6's grouped sums and counts). pg-aggregates ships day and hour truncation only; month is added the way its
// README shows (a group-by spec wrapping `date_trunc`).
import { PgAggregatesPreset } from '@graphile/pg-aggregates';
import { PostGraphileConnectionFilterPreset } from 'postgraphile-plugin-connection-filter';
import type { SQL } from 'postgraphile/pg-sql2';

interface AggregatesBuild {
  sql: { fragment: (strings: TemplateStringsArray, ...values: SQL[]) => SQL };
  dataplanPg: { TYPES: Record<string, unknown> };
  pgAggregateGroupBySpecs: { id: string; isSuitableType: (codec: unknown) => boolean; sqlWrap: (fragment: SQL) => SQL; sqlWrapCodec: (codec: unknown) => unknown }[];
}

const TruncatedToMonthPlugin = {
  name: 'BenchTruncatedToMonthPlugin',
  version: '0.0.0',
  after: ['PgAggregatesSpecsPlugin'],
  schema: {
    hooks: {
      build<B>(build: B): B {
        const { sql, dataplanPg, pgAggregateGroupBySpecs } = build as unknown as AggregatesBuild;
        pgAggregateGroupBySpecs.push({
          id: 'truncated-to-month',
          isSuitableType: (codec) => codec === dataplanPg.TYPES.timestamp || codec === dataplanPg.TYPES.timestamptz,
          sqlWrap: (fragment) => sql.fragment`date_trunc('month', ${fragment})`,
          sqlWrapCodec: (codec) => codec,
        });
        return build;
      },
    },
  },
};

export const listsPreset = {
  extends: [PostGraphileConnectionFilterPreset, PgAggregatesPreset],
  plugins: [TruncatedToMonthPlugin],
  // PostGraphile v5 offers filters only on indexed columns; ours filter any declared field (company industry, order
  // total are not indexed), so the peer gets the same reach.
  disablePlugins: ['PgIndexBehaviorsPlugin'],
  schema: { connectionFilterRelations: true },
};
