import {
  archiveCustomObject,
  type CustomField,
  type CustomObject,
  type CustomRecordTarget,
  createCustomRecord,
  defineCustomObject,
  deleteCustomObject,
  deleteCustomRecord,
  destroyCustomRecord,
  loadCustomFields,
  type ObjectNamesTaken,
  renameCustomObject,
  type ResolvedObject,
  restoreCustomRecord,
  singleNameOf,
  updateCustomRecord,
} from '@crm/core';
import type { GraphQLSchema } from 'graphql';
import type { Builder } from '../builder.js';
import { callerOf } from '../caller.js';
import type { GraphContext } from '../context.js';
import { globalId, optionalRowId, rowId } from '../ids.js';
import { customInputFields } from '../objects/custom-field-inputs.js';
import type { DeclaredObjects } from '../objects/declared-objects.js';
import { payloadType } from '../payload.js';
import { updatePrecondition } from '../update-precondition.js';
import { registerHistoryField } from './audit-log.js';
import type { CustomFieldStorage } from './custom-fields.js';
import { syncCustomObjectSearch } from './custom-object-search.js';

type CrmEventRef = Parameters<typeof registerHistoryField>[1];

/** The root fields a custom object derives: by-id, list, group-by; create, update, delete, restore, destroy. */
export function rootFieldsOf(name: string, pluralName: string): { query: string[]; mutation: string[] } {
  return {
    query: [singleNameOf({ name }), pluralName, `${pluralName}GroupBy`],
    mutation: ['create', 'update', 'delete', 'restore', 'destroy'].map((verb) => `${verb}${name}`),
  };
}

/**
 * What a custom object named `name` would collide with in the caller's schema: a type of that name or one derived
 * from it (`ContractFilter`: any type that starts with the name followed by an upper-case letter, which refuses a
 * few harmless names rather than risk a broken schema), or one of its root fields. `exceptName`: the object being
 * renamed, whose own types and fields are no clash.
 */
export function takenObjectNamesIn(schema: GraphQLSchema): ObjectNamesTaken {
  const derivedFrom = (type: string, name: string) => type === name || (type.startsWith(name) && /^[A-Z]/.test(type.slice(name.length)));
  return (name, pluralName, except) => {
    const lower = name.toLowerCase();
    for (const type of Object.keys(schema.getTypeMap())) {
      if (except && derivedFrom(type, except.name)) continue;
      if (type.toLowerCase() === lower || derivedFrom(type, name)) return `${name} clashes with the type ${type}`;
    }
    const own = except ? rootFieldsOf(except.name, except.pluralName) : { query: [], mutation: [] };
    const wanted = rootFieldsOf(name, pluralName);
    const query = schema.getQueryType()?.getFields() ?? {};
    const mutation = schema.getMutationType()?.getFields() ?? {};
    for (const field of wanted.query) if (field in query && !own.query.includes(field)) return `${field} is already a query field`;
    for (const field of wanted.mutation) if (field in mutation && !own.mutation.includes(field)) return `${field} is already a mutation`;
    return null;
  };
}

/** ADMIN's metadata API for custom objects: define, rename, archive/restore, delete; everyone lists them. */
export function registerCustomObjects(builder: Builder, customFieldRef: unknown, storage?: CustomFieldStorage) {
  const CustomObjectRef = builder.objectRef<CustomObject & { archived?: boolean }>('CustomObject').implement({
    description: "An object this workspace defined: a type with its list, by-id and mutations in the workspace's schema.",
    fields: (t) => ({
      id: t.exposeID('id'),
      name: t.exposeString('name', { description: 'The GraphQL type name.' }),
      pluralName: t.exposeString('pluralName', { description: 'The root list field.' }),
      label: t.exposeString('label'),
      description: t.exposeString('description', { nullable: true }),
      archived: t.boolean({ resolve: (o) => o.archived ?? false }),
      fields: t.field({
        type: [customFieldRef] as never,
        description: 'Its live custom fields, in their order.',
        resolve: (o, _args, ctx: GraphContext) => loadCustomFields(callerOf(ctx).db, o.id) as never,
      }),
    }),
  });
  const DefineCustomObjectInput = builder.inputType('DefineCustomObjectInput', {
    fields: (t) => ({
      name: t.string({ required: true, description: 'The GraphQL type name: PascalCase letters and digits, e.g. Contract.' }),
      pluralName: t.string({ description: 'The root list field (camelCase). @default the English plural of the name (contracts).' }),
      label: t.string(),
      description: t.string(),
    }),
  });
  const RenameCustomObjectInput = builder.inputType('RenameCustomObjectInput', {
    fields: (t) => ({ id: t.id({ required: true }), name: t.string(), pluralName: t.string(), label: t.string(), description: t.string() }),
  });
  const ArchiveCustomObjectInput = builder.inputType('ArchiveCustomObjectInput', {
    fields: (t) => ({ id: t.id({ required: true }), archived: t.boolean({ description: 'false restores it. @default true' }) }),
  });
  const DeleteCustomObjectInput = builder.inputType('DeleteCustomObjectInput', {
    fields: (t) => ({ id: t.id({ required: true }), force: t.boolean({ description: 'Delete it with its records (refused while it has any, otherwise).' }) }),
  });
  const CustomObjectPayload = builder.objectRef<{ customObject: CustomObject & { archived?: boolean } }>('CustomObjectPayload').implement({
    fields: (t) => ({ customObject: t.field({ type: CustomObjectRef, resolve: (p) => p.customObject }) }),
  });
  const DeleteCustomObjectPayload = builder.objectRef<{ deletedId: string; deletedRecords: number }>('DeleteCustomObjectPayload').implement({
    fields: (t) => ({ deletedId: t.exposeID('deletedId'), deletedRecords: t.exposeInt('deletedRecords', { description: 'Records deleted with it (force).' }) }),
  });

  builder.queryFields((t) => ({
    customObjects: t.field({
      type: [CustomObjectRef],
      authScopes: { authenticated: true },
      description: "The workspace's custom objects (archived ones too with `archived: true`).",
      args: { archived: t.arg.boolean({ description: 'List the archived ones instead of the live ones.' }) },
      resolve: async (_root, args, ctx: GraphContext) => {
        const rows = await callerOf(ctx).db.customObjectDefinition.findMany({
          where: { archivedAt: args.archived ? { not: null } : null },
          orderBy: { name: 'asc' },
        });
        return rows.map((r) => ({ id: r.id, name: r.name, pluralName: r.pluralName, label: r.label, description: r.description, archived: r.archivedAt !== null }));
      },
    }),
  }));

  builder.mutationFields((t) => ({
    defineCustomObject: t.field({
      type: CustomObjectPayload,
      authScopes: { admin: true },
      args: { input: t.arg({ type: DefineCustomObjectInput, required: true }) },
      resolve: async (_root, { input }, ctx, info) => ({ customObject: await defineCustomObject(callerOf(ctx), input as never, takenObjectNamesIn(info.schema)) }),
    }),
    renameCustomObject: t.field({
      type: CustomObjectPayload,
      authScopes: { admin: true },
      args: { input: t.arg({ type: RenameCustomObjectInput, required: true }) },
      resolve: async (_root, { input }, ctx, info) => ({ customObject: await renameCustomObject(callerOf(ctx), input, takenObjectNamesIn(info.schema)) }),
    }),
    archiveCustomObject: t.field({
      type: CustomObjectPayload,
      authScopes: { admin: true },
      args: { input: t.arg({ type: ArchiveCustomObjectInput, required: true }) },
      resolve: async (_root, { input }, ctx, info) => {
        const caller = callerOf(ctx);
        const customObject = await archiveCustomObject(caller, input, takenObjectNamesIn(info.schema));
        if (!customObject.archived) await syncCustomObjectSearch(caller.db, caller.session.workspaceId, storage, customObject.id);
        return { customObject };
      },
    }),
    deleteCustomObject: t.field({
      type: DeleteCustomObjectPayload,
      authScopes: { admin: true },
      args: { input: t.arg({ type: DeleteCustomObjectInput, required: true }) },
      resolve: async (_root, { input }, ctx) => {
        const caller = callerOf(ctx);
        const deleted = await deleteCustomObject(caller, input);
        // After commit: the fields' expression indexes (CONCURRENTLY cannot run in a transaction).
        for (const field of deleted.fields as CustomField[]) await storage?.deleted(caller.session.workspaceId, field);
        await storage?.searchIndexes(deleted.object.id, new Map());
        return { deletedId: deleted.object.id, deletedRecords: deleted.records };
      },
    }),
  }));
}

/**
 * A custom object's own operations in its workspace's schema (the type, list, by-id, filter, order, aggregates and
 * group-by come from its declaration like any object's): `createX`, `updateX`, `deleteX` (to the trash), `restoreX`,
 * `destroyX` (ADMIN, for good).
 * Values are typed input fields, checked by the core like custom fields' (BAD_USER_INPUT / CONFLICT naming them).
 */
export function registerCustomObjectRecords(builder: Builder, objects: DeclaredObjects, object: ResolvedObject, crmEvent: CrmEventRef) {
  const ref = objects.register(object.name);
  registerHistoryField(builder, crmEvent, ref, object.name, 'subjectId', `events about the ${object.name}`);
  const name = object.name;
  const single = object.single!;
  const custom = customInputFields(object);
  type Values = Record<string, unknown> & { ownerId?: string | null; id?: string; expectedUpdatedAt?: Date | null };
  const valueFields = (t: PothosSchemaTypes.InputFieldBuilder<never, 'InputObject'>) => ({
    ...Object.fromEntries(custom.map((f) => [f.name, t.field({ type: f.type as never, description: f.description } as never)])),
    ownerId: t.id({ description: "The user it belongs to (a User's id). @default the key's user" } as never),
  });
  const CreateInput = builder.inputType(`Create${name}Input`, { fields: (t) => valueFields(t as never) as never });
  const UpdateInput = builder.inputType(`Update${name}Input`, {
    description: 'Fields left out stay as they are; null clears one.',
    fields: (t) => ({ id: t.id({ required: true }), ...(valueFields(t as never) as object), ...updatePrecondition(t) }) as never,
  });
  const DeleteInput = builder.inputType(`Delete${name}Input`, { fields: (t) => ({ id: t.id({ required: true }), reason: t.string() }) });
  const RestoreInput = builder.inputType(`Restore${name}Input`, { fields: (t) => ({ id: t.id({ required: true }) }) });
  const DestroyInput = builder.inputType(`Destroy${name}Input`, { fields: (t) => ({ id: t.id({ required: true }) }) });
  const Payload = (verb: string) => payloadType(builder, `${verb}${name}Payload`, single, name);
  const CreatePayload = Payload('Create');
  const UpdatePayload = Payload('Update');
  const RestorePayload = Payload('Restore');
  const DeletePayload = builder.objectRef<{ id: string }>(`Delete${name}Payload`).implement({
    fields: (t) => ({ [`deleted${name}Id`]: t.id({ resolve: (payload) => payload.id }) }),
  });
  const DestroyPayload = builder.objectRef<{ id: string }>(`Destroy${name}Payload`).implement({
    fields: (t) => ({ [`destroyed${name}Id`]: t.id({ resolve: (payload) => payload.id }) }),
  });
  const targetOf = (ctx: GraphContext): CustomRecordTarget => ({ object, permissions: ctx.permissions });
  const split = (input: Values) => {
    const { id: _id, ownerId, expectedUpdatedAt, ...values } = input;
    return { values, ownerId: optionalRowId(ownerId, 'User', 'ownerId'), expectedUpdatedAt };
  };

  builder.mutationFields((t) => ({
    [`create${name}`]: t.field({
      type: CreatePayload,
      args: { input: t.arg({ type: CreateInput, required: true }) },
      resolve: async (_root, { input }, ctx) => ({ [single]: await createCustomRecord(callerOf(ctx), targetOf(ctx), split(input as Values)) }),
    }),
    [`update${name}`]: t.field({
      type: UpdatePayload,
      args: { input: t.arg({ type: UpdateInput, required: true }) },
      resolve: async (_root, { input }, ctx) => {
        const given = input as Values;
        return { [single]: await updateCustomRecord(callerOf(ctx), targetOf(ctx), { id: rowId(given.id!, name, 'id'), ...split(given) }) };
      },
    }),
    [`delete${name}`]: t.field({
      type: DeletePayload,
      description: `Moves the ${name} to the trash; \`restore${name}\` brings it back.`,
      args: { input: t.arg({ type: DeleteInput, required: true }) },
      resolve: async (_root, { input }, ctx) => {
        const row = await deleteCustomRecord(callerOf(ctx), targetOf(ctx), { id: rowId(input.id, name, 'id'), reason: input.reason });
        return { id: globalId(name, row.id) };
      },
    }),
    [`restore${name}`]: t.field({
      type: RestorePayload,
      description: `Brings a trashed ${name} back.`,
      args: { input: t.arg({ type: RestoreInput, required: true }) },
      resolve: async (_root, { input }, ctx) => ({ [single]: await restoreCustomRecord(callerOf(ctx), targetOf(ctx), { id: rowId(input.id, name, 'id') }) }),
    }),
    [`destroy${name}`]: t.field({
      type: DestroyPayload,
      authScopes: { admin: true },
      description: `Removes the ${name} for good (ADMIN), from the trash or not; relation values pointing at it are cleared.`,
      args: { input: t.arg({ type: DestroyInput, required: true }) },
      resolve: async (_root, { input }, ctx) => {
        const row = await destroyCustomRecord(callerOf(ctx), targetOf(ctx), { id: rowId(input.id, name, 'id') });
        return { id: globalId(name, row.id) };
      },
    }),
  }));
}
