export { BULK_LIMIT, bulkCreate, bulkDelete, bulkUpdate, type BulkTarget, upsertKeysOf, upsertRecords, type UpsertOptions, writerOf } from './bulk-commands.js';
export { callerIn } from './caller-in.js';
export { rowsCommand, rowsRefused, type RowError, type RowOutcome, type RowsResult } from './row-runner.js';
export { type BatchTarget, declaredUpdateBatch, updateBatchOf, type UpdateRule } from './declared-update-batch.js';
