// The chosen custom columns of a list of built-in records (customers, companies), asked per chunk of rows with one
// query by id in the workspace's schema: the list's own query is typed and selects none of them.
import { useCrmQuery } from '../data/hooks.js';
import { connectionIn, type WorkspaceRecord } from '../data/workspace-answers.js';
import type { CustomFieldDefinition, CustomObject } from './definitions.js';
import type { RecordKind } from './record-kinds.js';
import { columnsDocument } from '@crm/gateway/workspace-documents';

/** Rows are read in chunks of this many: each chunk asks once for its extra columns, and keeps them as more load. */
export const CHUNK = 30;

/** Splits rows into the chunks that each ask for their extra columns. */
export const chunksOf = <Row>(rows: Row[]): Row[][] => Array.from({ length: Math.ceil(rows.length / CHUNK) }, (_, i) => rows.slice(i * CHUNK, (i + 1) * CHUNK));

/**
 * The extra columns of `ids`, by id: every custom field of the kind (`fields`; the document is the same whichever
 * columns are shown, so that it is one of the workspace's trusted documents, docs/security.md) and, for customers,
 * the scores when `withScores`. Paused while no column is shown. `values` is undefined until they are in.
 */
export function useExtraColumns(
  kind: RecordKind,
  ids: string[],
  shown: { fields: readonly CustomFieldDefinition[]; columns: number; withScores?: boolean },
  objects: readonly CustomObject[],
) {
  const { fields, columns, withScores = false } = shown;
  const query = useCrmQuery<unknown, { ids: string[]; first: number }>(columnsDocument(kind, fields, objects, withScores), { ids, first: ids.length }, { pause: columns === 0 && !withScores });
  const values = query.data === undefined ? undefined : new Map(connectionIn(query.data, kind.plural).records.map((record): [string, WorkspaceRecord] => [record.id, record]));
  return { values, error: query.error, refetch: query.refetch };
}
