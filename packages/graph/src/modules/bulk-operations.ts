import {
  badInput,
  bulkCreate,
  bulkDelete,
  type BulkTarget,
  bulkUpdate,
  parseFilter,
  type ResolvedObject,
  upsertRecords,
  writerOf,
} from '@crm/core';
import type { Builder } from '../builder.js';
import { callerOf } from '../caller.js';
import type { GraphContext } from '../context.js';
import { globalId, rowId } from '../ids.js';
import type { DeclaredObjects } from '../objects/declared-objects.js';
import { filterContextOf } from '../objects/list-arguments.js';
import { delegateOf } from '../objects/model-delegate.js';
import { WriteInputs } from '../objects/write-inputs.js';

const capitalised = (name: string) => name[0]!.toUpperCase() + name.slice(1);
type Row = { id: string };

/** The records of `ids`, in that order, read through the caller's workspace-scoped client. */
async function recordsOf(ctx: GraphContext, object: ResolvedObject, ids: readonly string[]): Promise<Row[]> {
  const rows = (await delegateOf(ctx, object.model)!.findMany({ where: { id: { in: [...ids] } } })) as Row[];
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.map((id) => byId.get(id)).filter((row): row is Row => row !== undefined);
}

/**
 * Bulk writes and upserts for every declared object with a writer (core's and plugins'; docs/data.md): `createXs`,
 * `updateXs`, `deleteXs`, `upsertX` and `upsertXs`, their inputs derived from the declarations. One transaction per
 * call, each row through the object's single-record command; refused rows are listed in `extensions.rows`.
 */
export function registerBulkOperations(builder: Builder, objects: DeclaredObjects) {
  const inputs = new WriteInputs(builder, objects.inputs, objects.customFieldInputs);
  for (const object of objects.catalog.objects) {
    const writer = writerOf(object);
    if (!writer || !object.plural) continue;
    const plural = capitalised(object.plural);
    const listField = object.plural;
    const type = object.name as never;
    const decode = (input: Record<string, unknown>) => inputs.decode(object, input);
    const target = (where: { ids?: readonly string[] | null; filter?: unknown }, ctx: GraphContext): BulkTarget => {
      if ((where.ids == null) === (where.filter == null)) throw badInput('where: give either ids or filter', 'where');
      if (where.ids) return { ids: where.ids.map((id, index) => rowId(id, object.name, `where.ids.${index}`)) };
      return { filter: parseFilter(object, where.filter, filterContextOf(objects.catalog, ctx), 'where.filter'), catalog: objects.catalog };
    };
    const Records = builder.objectRef<{ ids: string[] }>(`${plural}Payload`).implement({
      description: `The ${object.name} records a bulk write changed, in the order given.`,
      fields: (t) => ({
        [listField]: t.field({ type: [type], resolve: (payload, _args, ctx) => recordsOf(ctx, object, payload.ids) as never }),
        count: t.int({ resolve: (payload) => payload.ids.length }),
      }),
    });

    const Input = writer.create ? inputs.create(object) : null;
    if (Input) {
      builder.mutationField(`create${plural}`, (t) =>
        t.field({
          type: Records,
          description: `Creates up to 1,000 ${object.name} records in one transaction: all of them, or none (BAD_USER_INPUT listing every refused row in \`extensions.rows\`).`,
          args: { inputs: t.arg({ type: [Input], required: true }) },
          resolve: async (_root, args, ctx) => ({ ids: await bulkCreate(callerOf(ctx), object, (args.inputs as Record<string, unknown>[]).map(decode)) }),
        }),
      );
      const UniqueKey = inputs.uniqueKey(object);
      if (UniqueKey) {
        const single = object.single ?? object.name.charAt(0).toLowerCase() + object.name.slice(1);
        const Upserted = builder.objectRef<{ id: string; created: boolean }>(`Upsert${object.name}Payload`).implement({
          fields: (t) => ({
            [single]: t.field({ type, resolve: async (payload, _args, ctx) => (await recordsOf(ctx, object, [payload.id]))[0] as never }),
            created: t.exposeBoolean('created', { description: 'Whether it was created (false: an existing record was updated).' }),
          }),
        });
        builder.mutationField(`upsert${object.name}`, (t) =>
          t.field({
            type: Upserted,
            description: `Updates the ${object.name} with the same \`on\` key, or creates one.`,
            args: { input: t.arg({ type: Input, required: true }), on: t.arg({ type: UniqueKey, required: true }) },
            resolve: async (_root, args, ctx) => {
              const result = await upsertRecords(callerOf(ctx), object, [decode(args.input as Record<string, unknown>)], { on: args.on as string });
              return result.outcomes[0]!;
            },
          }),
        );
        const UpsertedMany = builder.objectRef<{ ids: string[]; created: number }>(`Upsert${plural}Payload`).implement({
          fields: (t) => ({
            [listField]: t.field({ type: [type], resolve: (payload, _args, ctx) => recordsOf(ctx, object, payload.ids) as never }),
            created: t.exposeInt('created', { description: 'How many were created; the others were updated.' }),
            updated: t.int({ resolve: (payload) => payload.ids.length - payload.created }),
          }),
        });
        builder.mutationField(`upsert${plural}`, (t) =>
          t.field({
            type: UpsertedMany,
            description: `Upserts up to 1,000 ${object.name} records on the \`on\` key in one transaction, all or nothing.`,
            args: { inputs: t.arg({ type: [Input], required: true }), on: t.arg({ type: UniqueKey, required: true }) },
            resolve: async (_root, args, ctx) => {
              const result = await upsertRecords(callerOf(ctx), object, (args.inputs as Record<string, unknown>[]).map(decode), { on: args.on as string });
              const outcomes = result.outcomes.map((outcome) => outcome!);
              return { ids: outcomes.map((outcome) => outcome.id), created: outcomes.filter((outcome) => outcome.created).length };
            },
          }),
        );
      }
    }

    const Where = writer.update || writer.delete ? inputs.where(object, plural) : null;
    const Patch = writer.update ? inputs.patch(object) : null;
    if (Where && Patch) {
      builder.mutationField(`update${plural}`, (t) =>
        t.field({
          type: Records,
          description: `Applies \`patch\` to every targeted ${object.name} (at most 1,000) in one transaction, all or nothing.`,
          args: { where: t.arg({ type: Where, required: true }), patch: t.arg({ type: Patch, required: true }) },
          resolve: async (_root, args, ctx) => ({
            ids: await bulkUpdate(callerOf(ctx), object, target(args.where as never, ctx), decode(args.patch as Record<string, unknown>)),
          }),
        }),
      );
    }
    if (Where && writer.delete) {
      const Deleted = builder.objectRef<{ ids: string[] }>(`Delete${plural}Payload`).implement({
        fields: (t) => ({
          deletedIds: t.idList({ resolve: (payload) => payload.ids.map((id) => globalId(object.name, id)) }),
          count: t.int({ resolve: (payload) => payload.ids.length }),
        }),
      });
      builder.mutationField(`delete${plural}`, (t) =>
        t.field({
          type: Deleted,
          description: `Deletes every targeted ${object.name} (at most 1,000; trashable records go to the trash) in one transaction, all or nothing.`,
          args: { where: t.arg({ type: Where, required: true }), reason: t.arg.string({ description: 'Why; kept with trashed records.' }) },
          resolve: async (_root, args, ctx) => ({ ids: await bulkDelete(callerOf(ctx), object, target(args.where as never, ctx), args.reason ?? null) }),
        }),
      );
    }
  }
}
