import { badInput, importRecords, type ImportSummary, upsertKeysOf, writerOf } from '@crm/core';
import { currentDeadline } from '@crm/db';
import type { Builder } from '../builder.js';
import { callerOf } from '../caller.js';
import type { DeclaredObjects } from '../objects/declared-objects.js';

/** How long an upload import may run (the request's usual deadline is seconds; each batch is its own transaction). */
const IMPORT_TIMEOUT_MS = 10 * 60_000;

/** Slices handed to the parser: it parses no further ahead of the writes than a slice and its small buffer. */
const SLICE_BYTES = 16 * 1024;

/** The chunks of a web stream (Yoga's fetch ponyfill makes its own ReadableStream class, so no `Readable.fromWeb`). */
async function* chunksOf(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      for (let at = 0; at < value.length; at += SLICE_BYTES) yield value.subarray(at, at + SLICE_BYTES);
    }
  } finally {
    reader.releaseLock();
  }
}

const enumValueOf = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();

/**
 * `importRecords(object, file: Upload!, mapping, on, dryRun, jobId)`: the CSV import of docs/data.md over GraphQL,
 * the file sent as a multipart request (the GraphQL multipart request spec, which graphql-yoga parses) and read
 * as a stream. The same import as `crm import`, for every object with a writer.
 */
export function registerRecordImport(builder: Builder, objects: DeclaredObjects) {
  const importable = [...objects.catalog.objects].filter((object) => writerOf(object)?.create && object.plural);
  if (!importable.length) return;
  builder.scalarType('Upload', {
    description: 'A file, sent with the GraphQL multipart request spec (multipart/form-data: operations, map, the file).',
    serialize: () => {
      throw new Error('Upload is an input only');
    },
    // Yoga hands over its fetch implementation's File (a ponyfill on Node), so it is recognised by its shape.
    parseValue: (value) => {
      if (typeof (value as File | null)?.stream !== 'function') throw badInput('Send the file as a multipart request (GraphQL multipart request spec)');
      return value as File;
    },
    // A file is never written in the document: only a variable the multipart request maps a file to.
    parseLiteral: () => {
      throw badInput('Send the file as a multipart request (GraphQL multipart request spec): an Upload is a variable, never a literal');
    },
  });
  const ImportObject = builder.enumType('ImportObject', {
    description: 'The objects CSV imports write.',
    values: Object.fromEntries(importable.map((object) => [enumValueOf(object.name), { value: object.name }])) as never,
  });
  const LineError = builder.objectRef<{ line: number; field: string | null; message: string }>('ImportLineError').implement({
    fields: (t) => ({
      line: t.exposeInt('line', { description: 'The line of the file (1 is the header).' }),
      field: t.exposeString('field', { nullable: true }),
      message: t.exposeString('message'),
    }),
  });
  const Summary = builder.objectRef<ImportSummary>('ImportSummary').implement({
    description: 'What an import did (or, for a dry run, would do).',
    fields: (t) => ({
      jobId: t.exposeID('jobId', { nullable: true, description: 'The import job (none for a dry run): pass it as `jobId` to resume after a failure.' }),
      object: t.exposeString('object'),
      on: t.exposeString('on', { nullable: true }),
      dryRun: t.exposeBoolean('dryRun'),
      lines: t.exposeInt('lines', { description: 'Data lines read.' }),
      created: t.exposeInt('created'),
      updated: t.exposeInt('updated'),
      refused: t.exposeInt('refused'),
      resumedAfter: t.exposeInt('resumedAfter', { description: 'Data lines a previous run of the job had committed (skipped).' }),
      ignoredColumns: t.exposeStringList('ignoredColumns'),
      errors: t.field({ type: [LineError], description: 'The first 1,000 refused lines.', resolve: (summary) => summary.errors }),
      errorCount: t.exposeInt('errorCount'),
    }),
  });
  builder.mutationField('importRecords', (t) =>
    t.field({
      type: Summary,
      description:
        'Imports a CSV file (header line, then one record per line) into `object`: columns matched to fields by name or `mapping`, upserted on `on` ' +
        '(a unique key field, e.g. "email") or created, in batches of 1,000 (each one transaction). Refused lines are listed, the others written. See docs/data.md.',
      args: {
        object: t.arg({ type: ImportObject, required: true }),
        file: t.arg({ type: 'Upload', required: true }),
        mapping: t.arg({ type: 'JSON', description: 'Column name → field name, e.g. {"E-mail": "email"}.' }),
        on: t.arg.string({ description: 'The unique key to upsert on (a field name: email, externalRef, domain, sku, …).' }),
        dryRun: t.arg.boolean({ description: 'Report what would be created, updated and refused; write nothing.' }),
        jobId: t.arg.id({ description: 'Resume this unfinished import job: send the same file; lines it committed are skipped.' }),
        batchSize: t.arg.int({ description: 'Lines per transaction, 1 to 1,000. @default 1000' }),
      },
      resolve: async (_root, args, ctx) => {
        const caller = callerOf(ctx);
        const object = objects.catalog.get(args.object as string);
        const on = args.on ?? null;
        if (on && !upsertKeysOf(object).includes(on)) throw badInput(`on: ${object.name} has no unique key ${on} (keys: ${upsertKeysOf(object).join(', ') || 'none'})`, 'on');
        const mapping = args.mapping ?? null;
        if (mapping !== null && (typeof mapping !== 'object' || Array.isArray(mapping) || Object.values(mapping).some((field) => typeof field !== 'string'))) {
          throw badInput('mapping: an object of column name → field name', 'mapping');
        }
        const deadline = currentDeadline();
        if (deadline) deadline.at = Math.max(deadline.at, Date.now() + IMPORT_TIMEOUT_MS);
        const file = args.file as File;
        return importRecords(caller, chunksOf(file.stream()), {
          object,
          on,
          mapping: mapping as Record<string, string> | null,
          dryRun: args.dryRun ?? false,
          resumeJobId: args.jobId ?? null,
          batchSize: args.batchSize ?? undefined,
          fileName: file.name || null,
        });
      },
    }),
  );
}
