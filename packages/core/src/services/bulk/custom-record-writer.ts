// The writer of a workspace's custom objects (their records share the `CustomRecord` table): each row through the
// object's own record commands (custom-objects/record-commands.ts), so bulk writes and imports check values, roles and
// own records, and emit `x.created|updated|deleted`, exactly as `createX`, `updateX` and `deleteX` do. Updates of many
// records (`updateXs`, a plugin's `updateRelated`) go through the batch update writer with the rule `updateX` runs
// (`customRecordUpdate`): a few statements for the whole batch.
import type { CommandScope } from '../../command.js';
import { CUSTOM_VALUES_COLUMN } from '../../custom-fields/field-types.js';
import { createCustomRecord, customRecordUpdate, type CustomRecordTarget, deleteCustomRecord, updateCustomRecord } from '../../custom-objects/record-commands.js';
import type { ResolvedObject } from '../../objects/declaration.js';
import type { ObjectWriter } from '../../objects/writer.js';
import { callerIn } from './caller-in.js';
import { type BatchTarget, updateBatchOf } from './declared-update-batch.js';

type Input = Record<string, unknown>;

/**
 * `object`'s writer. A bulk input names the values under `customFields` (`XCustomFieldsInput`, as on core objects;
 * imports put every column there) and may give `ownerId`.
 */
export function customRecordWriter(object: ResolvedObject): ObjectWriter {
  const target = (scope: CommandScope): CustomRecordTarget => ({ object, permissions: scope.permissions ?? null });
  const command = (input: Input) => ({ values: input[CUSTOM_VALUES_COLUMN], ownerId: input.ownerId });
  // Values checked against the object's definitions (by its id), errors naming the field as `updateX` does; the key's
  // field rights checked by the rule (the shared table's rights are the object's, not the data layer's).
  const batchTarget: BatchTarget = {
    model: 'CustomRecord',
    name: object.name,
    customFields: { object: object.sharedTable!.value, prefix: '', rights: false },
    references: [['ownerId', 'user']],
  };
  return {
    create: (scope, input) => createCustomRecord(callerIn(scope), target(scope), command(input)),
    update: (scope, id, patch) => updateCustomRecord(callerIn(scope), target(scope), { id, ...command(patch) }),
    updateBatch: (scope, rows) => updateBatchOf(batchTarget, customRecordUpdate(target(scope)))(scope, rows),
    delete: async (scope, id, reason) => void (await deleteCustomRecord(callerIn(scope), target(scope), { id, reason })),
  };
}
