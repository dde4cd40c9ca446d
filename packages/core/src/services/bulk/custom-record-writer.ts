// The writer of a workspace's custom objects (their records share the `CustomRecord` table): each row through the
// object's own record commands (custom-objects/record-commands.ts), so bulk writes and imports check values, roles and
// own records, and emit `x.created|updated|deleted`, exactly as `createX`, `updateX` and `deleteX` do.
import type { CommandScope } from '../../command.js';
import { CUSTOM_VALUES_COLUMN } from '../../custom-fields/field-types.js';
import { createCustomRecord, type CustomRecordTarget, deleteCustomRecord, updateCustomRecord } from '../../custom-objects/record-commands.js';
import type { ResolvedObject } from '../../objects/declaration.js';
import type { ObjectWriter } from '../../objects/writer.js';
import { callerIn } from './caller-in.js';

type Input = Record<string, unknown>;

/**
 * `object`'s writer. A bulk input names the values under `customFields` (`XCustomFieldsInput`, as on core objects;
 * imports put every column there) and may give `ownerId`.
 */
export function customRecordWriter(object: ResolvedObject): ObjectWriter {
  const target = (scope: CommandScope): CustomRecordTarget => ({ object, permissions: scope.permissions ?? null });
  const command = (input: Input) => ({ values: input[CUSTOM_VALUES_COLUMN], ownerId: input.ownerId });
  return {
    create: (scope, input) => createCustomRecord(callerIn(scope), target(scope), command(input)),
    update: (scope, id, patch) => updateCustomRecord(callerIn(scope), target(scope), { id, ...command(patch) }),
    delete: async (scope, id, reason) => void (await deleteCustomRecord(callerIn(scope), target(scope), { id, reason })),
  };
}
