import { formatDate } from '../data/format.js';
import { Empty } from './States.js';

/** One change event of a record's history: `payload.changes` holds each changed field's old and new value. */
export interface HistoryEntry {
  id: string;
  occurredAt: string;
  actor: string;
  payload: unknown;
}

type Changes = Record<string, { from: unknown; to: unknown }>;

const shown = (value: unknown) => (value === null || value === undefined || value === '' ? '—' : Array.isArray(value) ? value.join(', ') || '—' : String(value));
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A change as rows of one field each: custom fields change as one object (`customFields: { from: {…}, to: {…} }`),
 * shown as the values that differ (`customFields.tier: silver → gold`).
 */
function rowsOf(field: string, change: { from: unknown; to: unknown }): [string, { from: unknown; to: unknown }][] {
  if (!isRecord(change.from) && !isRecord(change.to)) return [[field, change]];
  const from = isRecord(change.from) ? change.from : {};
  const to = isRecord(change.to) ? change.to : {};
  return [...new Set([...Object.keys(from), ...Object.keys(to)])]
    .filter((key) => JSON.stringify(from[key]) !== JSON.stringify(to[key]))
    .map((key) => [`${field}.${key}`, { from: from[key], to: to[key] }]);
}

/** Who changed what, from what to what (docs/data.md, field history), newest first. */
export function FieldHistory({ entries, total }: { entries: HistoryEntry[]; total: number }) {
  return (
    <section className="card" aria-labelledby="history-title" data-testid="history">
      <h2 id="history-title">History ({total})</h2>
      {entries.length === 0 ? (
        <Empty>No changes yet: every edit of this customer is listed here, field by field.</Empty>
      ) : (
        <ol className="rows">
          {entries.flatMap((entry) =>
            Object.entries((entry.payload as { changes?: Changes } | null)?.changes ?? {})
              .flatMap(([field, change]) => rowsOf(field, change))
              .map(([field, change]) => (
              <li key={`${entry.id}-${field}`}>
                <time dateTime={entry.occurredAt}>{formatDate(entry.occurredAt)}</time>
                <span>
                  <strong>{field}</strong>: {shown(change.from)} → {shown(change.to)}
                </span>
                <span>{entry.actor}</span>
              </li>
            )),
          )}
        </ol>
      )}
    </section>
  );
}
