import { stringify } from 'csv-stringify/sync';
import type { ExportColumn } from '../engine/export-sql.js';

export const exportFormats = ['csv', 'ndjson'] as const;
export type ExportFormat = (typeof exportFormats)[number];

export const exportContentType: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
};

/**
 * Spreadsheets run a cell that starts with one of these as a formula (CSV injection). As OWASP recommends, such a
 * cell of free text gets a leading `'`, which spreadsheets show as text and do not run.
 */
const formulaStart = /^[=+\-@\t\r]/;

/** One CSV cell: empty for null, lists and JSON as JSON text, free text defused. */
function csvCell(value: unknown, column: ExportColumn): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return column.field.kind === 'string' && formulaStart.test(text) ? `'${text}` : text;
}

export interface ExportTextOptions {
  /** Header names (CSV) or keys (NDJSON) per column. @default the column's path (`company.name`) */
  header?: (column: ExportColumn) => string;
}

/**
 * An export's rows as text, one chunk per page: CSV (RFC 4180 by csv-stringify, CRLF, a header row, quoted where
 * needed) or NDJSON (one JSON object per line, keyed by column, values typed as the API types them).
 */
export async function* exportText(
  columns: readonly ExportColumn[],
  pages: AsyncIterable<unknown[][]>,
  format: ExportFormat,
  options: ExportTextOptions = {},
): AsyncGenerator<string> {
  const names = columns.map((column) => options.header?.(column) ?? column.path);
  if (format === 'csv') {
    const csv = (records: string[][]) => stringify(records, { record_delimiter: 'windows' });
    yield csv([names]);
    for await (const rows of pages) yield csv(rows.map((row) => row.map((value, i) => csvCell(value, columns[i]!))));
    return;
  }
  for await (const rows of pages) {
    let text = '';
    for (const row of rows) {
      const record: Record<string, unknown> = {};
      names.forEach((name, i) => (record[name] = row[i]));
      text += `${JSON.stringify(record)}\n`;
    }
    yield text;
  }
}
