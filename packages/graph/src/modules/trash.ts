import { badInput, destroyRecord, type Permissions, listTrash, listTrashedRecords, type ObjectDeclaration, type ResolvedObject, restoreRecord, type TrashObject, trashObjectOfType, trashObjects, type TrashedRow, trashRecord } from '@crm/core';
import { resolveCursorConnection, type ResolveCursorConnectionArgs } from '@pothos/plugin-relay';
import { type Builder, MAX_PAGE_SIZE } from '../builder.js';
import { callerOf } from '../caller.js';
import { globalId, rowId } from '../ids.js';
import { payloadType } from '../payload.js';

const capitalised = (name: string) => name[0]!.toUpperCase() + name.slice(1);
/** `Customer` → `CUSTOMER`, `GiftCard` → `GIFT_CARD`: the object's value in the `TrashObject` enum. */
const enumValueOf = (typename: string) => typename.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();

/** Trash cursors: the row's deletion time and id (the listing's order). */
const trashCursor = (row: TrashedRow) => Buffer.from(JSON.stringify([row.deletedAt?.toISOString(), row.id])).toString('base64url');

function afterTrashCursor(cursor: string): { deletedAt: Date; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [string, string];
    const deletedAt = new Date(at);
    if (typeof id === 'string' && !Number.isNaN(deletedAt.getTime())) return { deletedAt, id };
  } catch {
    // fall through
  }
  throw badInput('after: not a trash cursor', 'after');
}

/** A record's label in the trash listing: its name, title or subject. */
const labelOf = (row: TrashedRow) => String(row.name ?? row.title ?? row.subject ?? row.sku ?? row.id);

/**
 * A custom record's label: its first text field the caller reads (the object's field order; the dashboard names
 * records the same way), else its id. Hidden fields never leak through the label.
 */
function customLabelOf(object: ResolvedObject, permissions: Permissions | null, values: unknown): string | null {
  const field = [...object.fields.values()].find((f) => f.kind === 'string' && f.stored && (permissions?.canReadField(f) ?? true));
  const value = field && values && typeof values === 'object' ? (values as Record<string, unknown>)[field.stored!.key] : undefined;
  return typeof value === 'string' && value !== '' ? value : null;
}

/**
 * The trash (docs/data.md), one mechanism for every trashable object: `deleteX(input: { id, reason })` moves a record
 * to the trash, `restoreX` brings it back with what went with it, `destroyX` (ADMIN) removes it for good, and
 * `trash(object)` lists what is in it. Core's objects, and each plugin object whose model has `deletedAt`.
 */
export function registerTrash(builder: Builder, pluginObjects: readonly ObjectDeclaration[] = [], customObjects: readonly ResolvedObject[] = []) {
  const objects: TrashObject[] = [
    ...Object.values(trashObjects),
    ...pluginObjects.flatMap((declaration) => {
      const object = trashObjectOfType(declaration.model ?? declaration.name);
      return object ? [{ ...object, typename: declaration.name }] : [];
    }),
  ];
  const byValue = new Map(objects.map((object) => [enumValueOf(object.typename), object]));
  // The workspace's custom objects are listed too; their delete and restore are their own (custom-objects.ts).
  const customByValue = new Map(customObjects.map((object) => [enumValueOf(object.name), object]));
  const TrashObjectEnum = builder.enumType('TrashObject', {
    values: [...byValue.keys(), ...customByValue.keys()] as readonly string[] as readonly ['CUSTOMER'],
  });
  const objectOf = (value: string) => byValue.get(value)?.name ?? customByValue.get(value)!.name;
  const typenameOf = (name: string) => objects.find((object) => object.name === name)?.typename ?? name;

  const TrashEntry = builder.objectRef<TrashedRow & { object: string }>('TrashEntry').implement({
    description: 'A record in the trash. It is read through the trash only; restore it to read it as usual.',
    fields: (t) => ({
      id: t.id({ description: 'The record’s global id (what `restoreX` and `destroyX` take).', resolve: (row) => globalId(typenameOf(row.object), row.id) }),
      object: t.field({ type: TrashObjectEnum, resolve: (row) => enumValueOf(typenameOf(row.object)) as 'CUSTOMER' }),
      label: t.string({ description: 'Its name, title or subject.', resolve: labelOf }),
      deletedAt: t.field({ type: 'DateTime', resolve: (row) => row.deletedAt! }),
      deletedBy: t.string({ nullable: true, resolve: (row) => row.deletedBy }),
      deleteReason: t.string({ nullable: true, resolve: (row) => row.deleteReason }),
      trashedWith: t.id({
        nullable: true,
        description: 'Set when it went to the trash with another record (a customer’s deal): restoring that one brings it back.',
        resolve: (row) => row.trashedWithId,
      }),
    }),
  });

  builder.queryField('trash', (t) =>
    t.connection({
      type: TrashEntry,
      authScopes: { authenticated: true },
      description: 'What is in the trash, most recently deleted first. Trashed records are destroyed after TRASH_RETENTION_DAYS.',
      args: { object: t.arg({ type: TrashObjectEnum, required: true }) },
      resolve: (_root, args, context) => {
        const object = objectOf(args.object);
        return resolveCursorConnection(
          { args, defaultSize: 20, maxSize: MAX_PAGE_SIZE, toCursor: trashCursor },
          async ({ after, limit, inverted }: ResolveCursorConnectionArgs) => {
            if (inverted) throw badInput('trash pages forward only (first/after)', 'last');
            const page = { take: limit, after: after ? afterTrashCursor(after) : null };
            const custom = customByValue.get(args.object);
            const rows: TrashedRow[] = custom
              ? (await listTrashedRecords(callerOf(context), { object: custom, permissions: context.permissions }, page)).map((record) => ({
                  ...(record as unknown as TrashedRow),
                  name: customLabelOf(custom, context.permissions, record.customFields),
                }))
              : await listTrash(callerOf(context), object, page);
            return rows.map((row) => ({ ...row, object }));
          },
        );
      },
    }),
  );

  for (const { name, typename } of objects) {
    const Type = capitalised(typename);
    const DeleteInput = builder.inputType(`Delete${Type}Input`, {
      fields: (t) => ({ id: t.id({ required: true }), reason: t.string({ description: 'Why; kept with the trashed record.' }) }),
    });
    const IdInput = (action: string) => builder.inputType(`${action}${Type}Input`, { fields: (t) => ({ id: t.id({ required: true }) }) });
    const RestoreInput = IdInput('Restore');
    const DestroyInput = IdInput('Destroy');
    const DeletePayload = builder.objectRef<{ id: string }>(`Delete${Type}Payload`).implement({
      fields: (t) => ({ [`deleted${Type}Id`]: t.id({ resolve: (payload) => payload.id }) }),
    });
    const DestroyPayload = builder.objectRef<{ id: string }>(`Destroy${Type}Payload`).implement({
      fields: (t) => ({ [`destroyed${Type}Id`]: t.id({ resolve: (payload) => payload.id }) }),
    });
    const RestorePayload = payloadType(builder, `Restore${Type}Payload`, name, typename);
    const idOf = (id: string) => rowId(id, typename, 'id');

    builder.mutationFields((t) => ({
      [`delete${Type}`]: t.field({
        type: DeletePayload,
        description: `Moves the ${name} to the trash (with what would be deleted with it); \`restore${Type}\` brings it back.`,
        args: { input: t.arg({ type: DeleteInput, required: true }) },
        resolve: async (_root, { input }, ctx) => {
          const row = await trashRecord(callerOf(ctx), name, { id: idOf(input.id), reason: input.reason });
          return { id: globalId(typename, row.id) };
        },
      }),
      [`restore${Type}`]: t.field({
        type: RestorePayload,
        description: `Brings a trashed ${name} back, with everything that was trashed with it.`,
        args: { input: t.arg({ type: RestoreInput, required: true }) },
        resolve: async (_root, { input }, ctx) => {
          const row = await restoreRecord(callerOf(ctx), name, { id: idOf(input.id) });
          const caller = callerOf(ctx);
          const restored = await (caller.db[name as 'customer'] as unknown as { findUnique(args: object): Promise<unknown> }).findUnique({ where: { id: row.id } });
          return { [name]: restored };
        },
      }),
      [`destroy${Type}`]: t.field({
        type: DestroyPayload,
        authScopes: { admin: true },
        description: `Removes the ${name} for good (ADMIN), from the trash or not, with what the database deletes with it.`,
        args: { input: t.arg({ type: DestroyInput, required: true }) },
        resolve: async (_root, { input }, ctx) => {
          const row = await destroyRecord(callerOf(ctx), name, { id: idOf(input.id) });
          return { id: globalId(typename, row.id) };
        },
      }),
    }));
  }
}
