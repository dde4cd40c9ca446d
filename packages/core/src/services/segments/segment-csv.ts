import type { Caller } from '../../command.js';
import { notFound } from '../../errors.js';

/** Columns of a segment export, in order. */
export const SEGMENT_CSV_COLUMNS = [
  'id', 'name', 'email', 'phone', 'lifecycleStage', 'lifetimeValue', 'orderCount', 'lastOrderAt',
  'predictedLifetimeValue', 'probabilityAlive', 'rfmSegment',
] as const;

/** RFC 4180 quoting; a leading =, +, - or @ is prefixed with ' so that spreadsheets do not run it as a formula. */
function cell(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * A saved segment's members as CSV (header row, one row per member ordered by name), in ONE statement.
 * `id` is the customer's global id (as the API's). NOT_FOUND for a segment of another workspace.
 */
export async function exportSegmentCsv(caller: Caller, segmentId: string, globalId: (id: string) => string): Promise<string> {
  const segment = await caller.db.segment.findUnique({ where: { id: segmentId }, select: { id: true } });
  if (!segment) throw notFound('Segment', 'id');
  const rows = await caller.db.$queryRawUnsafe<Record<(typeof SEGMENT_CSV_COLUMNS)[number], string | number | null>[]>(
    `SELECT c.id, c.name, c.email, c.phone, c."lifecycleStage"::text AS "lifecycleStage", c."lifetimeValue"::text AS "lifetimeValue",
            c."orderCount", to_char(c."lastOrderAt" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "lastOrderAt",
            s."predictedLifetimeValue"::text AS "predictedLifetimeValue", s."probabilityAlive", s."rfmSegment"
       FROM "SegmentMember" m JOIN "Customer" c ON c.id = m."customerId" LEFT JOIN "CustomerScore" s ON s."customerId" = c.id
      WHERE m."segmentId" = $1::uuid AND m."workspaceId" = $2::uuid
      ORDER BY c.name, c.id`,
    segmentId,
    caller.session.workspaceId,
  );
  const lines = [SEGMENT_CSV_COLUMNS.join(',')];
  for (const row of rows) lines.push(SEGMENT_CSV_COLUMNS.map((column) => cell(column === 'id' ? globalId(String(row.id)) : row[column])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
