import type { SchemaTypes } from './builder.js';

type InputFields = PothosSchemaTypes.InputFieldBuilder<PothosSchemaTypes.ExtendDefaultTypes<SchemaTypes>, 'InputObject'>;

/**
 * `expectedUpdatedAt` on update inputs: the optimistic precondition of the concurrency rule (`@crm/core`'s
 * `lockForUpdate`). One definition, spread into each update input.
 */
export const updatePrecondition = (t: InputFields) => ({
  expectedUpdatedAt: t.field({
    type: 'DateTime',
    description:
      'The `updatedAt` you last read. When the record has changed since, nothing is written and the error is CONFLICT (read it again and retry). Left out, updates of one record apply one after the other, each on the latest version.',
  }),
});
