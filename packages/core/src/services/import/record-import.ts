// CSV import for every writable declared object (docs/data.md, "Import"): streamed, mapped by header, upserted in
// batches (each one transaction committed with the job's checkpoint), resumable, with a dry run.
import { CsvError, parse } from 'csv-parse';
import type { Readable } from 'node:stream';
import type { Caller, CommandScope } from '../../command.js';
import { badInput, notFound } from '../../errors.js';
import type { ResolvedField, ResolvedObject } from '../../objects/declaration.js';
import { CUSTOM_VALUES_COLUMN } from '../../custom-fields/field-types.js';
import { BULK_LIMIT, createBatchOf, upsertKeysOf, upsertRecords, writerOf } from '../bulk/bulk-commands.js';
import { analyzeWritten } from '../analytics/analyze-written.js';
import { rowsCommand, type RowsResult } from '../bulk/row-runner.js';
import { CellError, cellValue } from './csv-values.js';

/** A refused line: its line in the file, the field (or column) at fault, why. */
export interface ImportLineError {
  line: number;
  field: string | null;
  message: string;
}

export interface RecordImportOptions {
  object: ResolvedObject;
  /** Upsert on this declared unique key; without it every line creates a record. */
  on?: string | null;
  /** CSV header → field name; headers not named are matched to fields by name (case, spaces, `_` and `-` ignored). */
  mapping?: Readonly<Record<string, string>> | null;
  /** Report what would be created, updated and refused; write nothing. @default false */
  dryRun?: boolean;
  /** Lines per transaction. @default 1000 */
  batchSize?: number;
  /** Resumes this import job (after a crash), skipping the lines it committed. */
  resumeJobId?: string | null;
  /** Identifies the file: an unfinished job of the same object and file is resumed. */
  fileHash?: string | null;
  fileName?: string | null;
  onProgress?: (progress: ImportProgress) => void;
}

export interface ImportProgress {
  lines: number;
  created: number;
  updated: number;
  refused: number;
}

export interface ImportSummary extends ImportProgress {
  jobId: string | null;
  object: string;
  on: string | null;
  dryRun: boolean;
  /** Data lines skipped because a previous run of this job committed them. */
  resumedAfter: number;
  /** CSV columns that match no writable field (left out). */
  ignoredColumns: string[];
  /** The first 1,000 refused lines. */
  errors: ImportLineError[];
  errorCount: number;
}

const KEPT_ERRORS = 1000;
const normalised = (name: string) => name.toLowerCase().replace(/[\s_-]+/g, '');
/** Declared writable, or one of the workspace's custom fields (the writer checks them against their definitions). */
const writable = (field: ResolvedField) => field.write !== false || !!field.stored;
/** The input path of a field: custom fields' values go in `customFields`, by name. */
const pathOf = (field: ResolvedField) => (field.stored ? `${CUSTOM_VALUES_COLUMN}.${field.name}` : field.name);

/** Which field each CSV column fills (null: ignored). A mapping to an unknown or read-only field is refused. */
function columnsOf(object: ResolvedObject, header: readonly string[], mapping: Readonly<Record<string, string>>): (ResolvedField | null)[] {
  for (const [column, fieldName] of Object.entries(mapping)) {
    const field = object.fields.get(fieldName);
    if (!field || !writable(field)) throw badInput(`mapping: ${column} → ${fieldName}: ${object.name} has no writable field ${fieldName}`, 'mapping');
  }
  const byName = new Map([...object.fields.values()].filter(writable).map((field) => [normalised(field.name), field]));
  return header.map((column) => {
    const mapped = mapping[column];
    return mapped ? object.fields.get(mapped)! : (byName.get(normalised(column)) ?? null);
  });
}

type Line = { line: number; record: number; input: Record<string, unknown> };

/**
 * Imports CSV text from `source` (a stream: the file is never held in memory) into `options.object`. Each batch is
 * one transaction that also advances the job's checkpoint, so a run that stops half-way is resumed after its last
 * committed batch (and an upsert replays idempotently anyway). A refused line never stops the import.
 */
export async function importRecords(caller: Caller, source: Readable | AsyncIterable<string | Uint8Array>, options: RecordImportOptions): Promise<ImportSummary> {
  const { object } = options;
  const writer = writerOf(object);
  if (!writer?.create) throw badInput(`${object.name} records cannot be imported`, 'object');
  const on = options.on ?? null;
  if (on && !upsertKeysOf(object).includes(on)) throw badInput(`on: ${object.name} has no unique key ${on} (keys: ${upsertKeysOf(object).join(', ') || 'none'})`, 'on');
  const batchSize = options.batchSize ?? BULK_LIMIT;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > BULK_LIMIT) throw badInput(`batchSize: 1 to ${BULK_LIMIT}`, 'batchSize');
  const dryRun = options.dryRun ?? false;

  const job = dryRun ? null : await openJob(caller, options, on);
  const summary: ImportSummary = {
    jobId: job?.id ?? null,
    object: object.name,
    on,
    dryRun,
    lines: 0,
    created: job?.created ?? 0,
    updated: job?.updated ?? 0,
    refused: job?.refused ?? 0,
    resumedAfter: job?.committedLine ?? 0,
    ignoredColumns: [],
    errors: [],
    errorCount: job?.refused ?? 0,
  };
  const refuse = (error: ImportLineError) => {
    summary.refused++;
    summary.errorCount++;
    if (summary.errors.length < KEPT_ERRORS) summary.errors.push(error);
  };

  let columns: (ResolvedField | null)[] | null = null;
  let batch: Line[] = [];
  let batchErrors: ImportLineError[] = [];
  let record = 0;

  const flush = async () => {
    const lines = batch;
    const lineErrors = batchErrors;
    batch = [];
    batchErrors = [];
    const lastRecord = record;
    const checkpoint = async (scope: CommandScope, result: RowsResult | null) => {
      const refused = [...lineErrors, ...(result?.errors ?? []).map((error) => ({ line: lines[error.index]!.line, field: error.field, message: error.message }))];
      const created = result?.outcomes.filter((outcome) => outcome?.created).length ?? 0;
      const updated = result?.outcomes.filter((outcome) => outcome && !outcome.created).length ?? 0;
      if (job) {
        await scope.tx.$executeRaw`
          UPDATE "ImportJob" SET "committedLine" = ${lastRecord}, created = created + ${created}, updated = updated + ${updated},
                 refused = refused + ${refused.length}, "updatedAt" = now(),
                 errors = CASE WHEN jsonb_array_length(errors) >= ${KEPT_ERRORS} THEN errors
                               ELSE errors || ${JSON.stringify(refused.slice(0, KEPT_ERRORS))}::jsonb END
           WHERE id = ${job.id}::uuid AND "workspaceId" = ${caller.session.workspaceId}::uuid`;
      }
      return { refused, created, updated };
    };
    let outcome: Awaited<ReturnType<typeof checkpoint>> | null = null;
    const finish = async (scope: CommandScope, result: RowsResult | null) => void (outcome = await checkpoint(scope, result));
    if (lines.length) {
      const inputs = lines.map((line) => line.input);
      if (on) await upsertRecords(caller, object, inputs, { on, partial: true, dryRun, finish });
      else await rowsCommand(caller, inputs, async (scope, input) => ({ id: (await writer.create!(scope, input)).id, created: true }), {
          partial: true,
          dryRun,
          finish,
          batch: createBatchOf(writer),
        });
    } else if (lineErrors.length) {
      await caller.run((scope) => finish(scope, null));
    }
    if (outcome) {
      const { refused, created, updated } = outcome as Awaited<ReturnType<typeof checkpoint>>;
      for (const error of refused) refuse(error);
      summary.created += created;
      summary.updated += updated;
    }
    options.onProgress?.({ lines: summary.lines, created: summary.created, updated: summary.updated, refused: summary.refused });
  };

  const parser = parse({ bom: true, skip_empty_lines: true, relax_column_count: true, info: true });
  // Fed chunk by chunk with backpressure; stops when the parser is done or destroyed (a parse error, or the import
  // failed), so a failure never leaves it waiting for a `drain` that will not come.
  const feeding = (async () => {
    try {
      for await (const chunk of source) {
        if (parser.destroyed) return;
        if (!parser.write(chunk)) await new Promise<void>((resolve) => {
          const done = () => {
            parser.off('drain', done).off('close', done);
            resolve();
          };
          parser.once('drain', done).once('close', done);
        });
      }
      if (!parser.destroyed) parser.end();
    } catch (error) {
      parser.destroy(error as Error);
    }
  })();
  try {
    for await (const { record: cells, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (!columns) {
        columns = columnsOf(object, cells, options.mapping ?? {});
        summary.ignoredColumns = cells.filter((_, i) => !columns![i]);
        if (on && !columns.some((field) => field?.name === on)) throw badInput(`on: no column holds ${on} (map one with mapping)`, 'on');
        if (!columns.some(Boolean)) throw badInput(`file: no column matches a writable field of ${object.name}`, 'file');
        continue;
      }
      record++;
      summary.lines++;
      if (record <= summary.resumedAfter) continue;
      const input: Record<string, unknown> = {};
      let refused: ImportLineError | null = null;
      for (const [i, field] of columns.entries()) {
        const text = cells[i]?.trim();
        if (!field || text === undefined || text === '') continue;
        try {
          const value = cellValue(field, text);
          if (field.stored) ((input[CUSTOM_VALUES_COLUMN] ??= {}) as Record<string, unknown>)[field.name] = value;
          else input[field.name] = value;
        } catch (error) {
          if (!(error instanceof CellError)) throw error;
          refused ??= { line: info.lines, field: pathOf(field), message: `${pathOf(field)}: ${error.message}` };
        }
      }
      if (refused) batchErrors.push(refused);
      else batch.push({ line: info.lines, record, input });
      if (batch.length + batchErrors.length >= batchSize) await flush();
    }
    if (!columns) throw badInput('file: empty (a header line is needed)', 'file');
    await flush();
  } catch (error) {
    parser.destroy();
    if (job) await caller.db.importJob.updateMany({ where: { id: job.id }, data: { status: 'FAILED' } }).catch(() => undefined);
    throw isParseError(error) ? badInput(`file: ${(error as Error).message}`, 'file') : error;
  } finally {
    await feeding;
  }
  if (job) {
    await caller.db.importJob.updateMany({ where: { id: job.id }, data: { status: 'DONE', finishedAt: new Date() } });
    // The planner's statistics as true as the table now is (the seed and the order import do the same).
    await analyzeWritten(caller.db, { [object.model]: summary.created - (job.created ?? 0) });
    const stored = await caller.db.importJob.findUnique({ where: { id: job.id }, select: { errors: true } });
    summary.errors = (stored?.errors as ImportLineError[] | null) ?? summary.errors;
  }
  return summary;
}

/** csv-parse's errors (`CsvError`, codes such as INVALID_OPENING_QUOTE): the file is malformed at a line. */
const isParseError = (error: unknown) => error instanceof CsvError;

/** The job to write under: the one named, an unfinished one of the same file, or a new one. */
async function openJob(caller: Caller, options: RecordImportOptions, on: string | null) {
  const object = options.object.name;
  return caller.run(async ({ tx, session }) => {
    if (options.resumeJobId) {
      const job = await tx.importJob.findFirst({ where: { id: options.resumeJobId, object, status: { in: ['RUNNING', 'FAILED'] } } });
      if (!job) throw notFound(`An unfinished ${object} import`, 'jobId');
      if (job.upsertKey !== (on ?? '')) throw badInput(`on: the job imports with ${job.upsertKey || 'no key'}; resume it with the same`, 'on');
      return tx.importJob.update({ where: { id: job.id }, data: { status: 'RUNNING' } });
    }
    if (options.fileHash) {
      const job = await tx.importJob.findFirst({ where: { object, fileHash: options.fileHash, upsertKey: on ?? '', status: { in: ['RUNNING', 'FAILED'] } }, orderBy: { createdAt: 'desc' } });
      if (job) return tx.importJob.update({ where: { id: job.id }, data: { status: 'RUNNING' } });
    }
    return tx.importJob.create({
      data: { workspaceId: session.workspaceId, object, upsertKey: on ?? '', fileHash: options.fileHash ?? null, fileName: options.fileName ?? null, actor: session.actor },
    });
  });
}
