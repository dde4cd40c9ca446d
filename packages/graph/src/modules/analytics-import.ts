import { importOrders, type ImportOrdersSummary, type ImportRowError } from '@crm/core';
import type { Builder } from '../builder.js';
import { callerOf } from '../caller.js';

/** `importOrders`: purchase history from CSV, for ADMIN keys; the whole file is one transaction. */
export function registerOrderImport(builder: Builder) {
  const ImportRowErrorType = builder.objectRef<ImportRowError>('ImportRowError').implement({
    description: 'A row the import refused, by its line in the file (the header is line 1).',
    fields: (t) => ({
      line: t.exposeInt('line'),
      field: t.exposeString('field', { nullable: true, description: 'The column at fault, when one is.' }),
      message: t.exposeString('message'),
    }),
  });
  const ImportOrdersPayload = builder.objectRef<ImportOrdersSummary>('ImportOrdersPayload').implement({
    description: 'What the import did. With any error nothing is written (imported = 0): fix the lines and send it again.',
    fields: (t) => ({
      imported: t.exposeInt('imported', { description: 'Orders written.' }),
      customersCreated: t.exposeInt('customersCreated'),
      skipped: t.exposeInt('skipped', { description: 'Orders whose orderRef the workspace already had (a re-run).' }),
      rejected: t.exposeInt('rejected', { description: 'Orders not written because the file had bad rows.' }),
      rows: t.exposeInt('rows', { description: 'Data rows read.' }),
      errors: t.field({ type: [ImportRowErrorType], resolve: (summary) => summary.errors, description: 'At most 100, by line.' }),
      errorCount: t.exposeInt('errorCount'),
    }),
  });
  const ImportOrdersInput = builder.inputType('ImportOrdersInput', {
    fields: (t) => ({
      csv: t.string({
        required: true,
        description: 'CSV text with a header row: customer (email or external reference), orderedAt (ISO-8601 or YYYYMMDD), total, and optionally sku, quantity, orderRef.',
      }),
    }),
  });
  builder.mutationFields((t) => ({
    importOrders: t.field({
      type: ImportOrdersPayload,
      authScopes: { admin: true },
      description: 'Imports purchase history. Idempotent on orderRef: sending the same file again changes nothing.',
      args: { input: t.arg({ type: ImportOrdersInput, required: true }) },
      resolve: (_root, { input }, ctx) => importOrders(callerOf(ctx), input.csv, { batchSize: Infinity }),
    }),
  }));
}
