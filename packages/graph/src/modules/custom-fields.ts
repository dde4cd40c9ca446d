import {
  archiveCustomField,
  type CustomField,
  allCustomFieldTypes,
  defineCustomField,
  deleteCustomField,
  isExtensible,
  badInput,
  listCustomFields,
  type ListedCustomField,
  type ObjectCatalog,
  renameCustomField,
  screaming,
  type TakenNames,
} from '@crm/core';
import DataLoader from 'dataloader';
import { type GraphQLSchema, isEnumType, isInputObjectType, isObjectType } from 'graphql';
import type { Builder } from '../builder.js';
import { callerOf } from '../caller.js';
import type { GraphContext } from '../context.js';
import { syncCustomObjectSearch } from './custom-object-search.js';

/** What happens to storage around definition changes, outside their transaction (the gateway's expression indexes). */
export interface CustomFieldStorage {
  defined(workspaceId: string, field: CustomField): Promise<void>;
  deleted(workspaceId: string, field: CustomField): Promise<void>;
  /**
   * A custom object's search indexes are to be exactly `indexes` (name → what follows `CREATE INDEX name`): build the
   * missing ones, drop its others (`customObjectSearchIndexPrefix` names them all).
   */
  searchIndexes(objectId: string, indexes: ReadonlyMap<string, string>): Promise<void>;
}

/**
 * Every name and enum value a new field of `object` would collide with in the caller's schema: the object type's
 * fields (built-in, computed, plugins'), its filter and create/update inputs, and its order/group/distinct enums
 * (a field `companyName` would become `COMPANY_NAME`, which already sorts by the company's name).
 */
export function takenNamesIn(schema: GraphQLSchema): TakenNames {
  return (object) => {
    const names = new Set<string>();
    for (const typeName of [object, `${object}Filter`, `Create${object}Input`, `Update${object}Input`]) {
      const type = schema.getType(typeName);
      if (isObjectType(type) || isInputObjectType(type)) for (const name of Object.keys(type.getFields())) names.add(name);
    }
    for (const enumName of [`${object}OrderField`, `${object}GroupField`, `${object}DistinctField`]) {
      const type = schema.getType(enumName);
      if (isEnumType(type)) for (const value of type.getValues()) names.add(value.name);
    }
    return (name) => names.has(name) || names.has(screaming(name));
  };
}

const typeValue = (type: string) => screaming(type);

/**
 * Per request: the names of custom objects by id, read in one statement for a list of definitions (every relation
 * field pointing at a custom object asks for its target's name). Workspace-scoped by the caller's client.
 */
const objectNames = new WeakMap<GraphContext, DataLoader<string, string | null>>();
function objectNameLoader(ctx: GraphContext): DataLoader<string, string | null> {
  let loader = objectNames.get(ctx);
  if (!loader) {
    loader = new DataLoader(
      async (ids) => {
        const rows = await callerOf(ctx).db.customObjectDefinition.findMany({ where: { id: { in: [...ids] } }, select: { id: true, name: true } });
        const names = new Map(rows.map((r) => [r.id, r.name]));
        return ids.map((id) => names.get(id) ?? null);
      },
      { maxBatchSize: 100 },
    );
    objectNames.set(ctx, loader);
  }
  return loader;
}

/**
 * ADMIN's metadata API: define, rename, archive/restore, delete custom fields; everyone lists them. The objects that
 * take fields are the catalog's (declared `customFields: true`: core's and the installed plugins').
 */
export function registerCustomFields(builder: Builder, catalog: ObjectCatalog, storage?: CustomFieldStorage) {
  const extensible = new Set(catalog.extensible.map((o) => o.name));
  const CustomFieldType = builder.enumType('CustomFieldType', {
    values: Object.fromEntries(allCustomFieldTypes.map((t) => [typeValue(t), { value: t }])) as Record<string, { value: string }>,
  });
  const ExtensibleObject = builder.enumType('ExtensibleObject', {
    description: "An object a workspace can add custom fields to: core's and the plugins' that declare `customFields: true`.",
    values: Object.fromEntries([...extensible].map((o) => [screaming(o), { value: o }])) as Record<string, { value: string }>,
  });
  const SelectOption = builder.objectRef<CustomField['options'][number]>('SelectOption').implement({
    fields: (t) => ({
      value: t.exposeString('value'),
      label: t.exposeString('label'),
      color: t.exposeString('color', { nullable: true }),
    }),
  });
  const CustomFieldRef = builder.objectRef<CustomField & { archived?: boolean }>('CustomField').implement({
    description: 'A field this workspace defined on an object; its values appear as a typed field of that object.',
    fields: (t) => ({
      id: t.exposeID('id'),
      object: t.field({
        type: ExtensibleObject,
        nullable: true,
        description: 'The object it extends: built-in or a plugin\'s (null for a custom object\'s field: see customObjectId).',
        resolve: (f) => (extensible.has(f.object) ? (f.object as never) : null),
      }),
      customObjectId: t.id({ nullable: true, description: 'The custom object it belongs to.', resolve: (f) => (isExtensible(f.object) ? null : f.object) }),
      name: t.exposeString('name', { description: 'The GraphQL field name.' }),
      label: t.exposeString('label'),
      type: t.field({ type: CustomFieldType, resolve: (f) => f.type as never }),
      options: t.field({ type: [SelectOption], resolve: (f) => f.options }),
      required: t.exposeBoolean('required'),
      unique: t.exposeBoolean('unique'),
      indexed: t.exposeBoolean('indexed'),
      defaultValue: t.field({ type: 'JSON', nullable: true, resolve: (f) => f.defaultValue ?? null }),
      description: t.exposeString('description', { nullable: true }),
      min: t.exposeFloat('min', { nullable: true }),
      max: t.exposeFloat('max', { nullable: true }),
      currency: t.exposeString('currency', { nullable: true }),
      target: t.string({
        nullable: true,
        description: 'RELATION: the type it points to.',
        resolve: async (f, _args, ctx: GraphContext) => {
          if (!f.target || isExtensible(f.target)) return f.target ?? null;
          return objectNameLoader(ctx).load(f.target);
        },
      }),
      position: t.exposeInt('position'),
      archived: t.boolean({
        description: 'Out of the schema and of writes, its values kept (archiveCustomField with archived: false restores it).',
        resolve: (f) => f.archived ?? false,
      }),
    }),
  });

  const SelectOptionInput = builder.inputType('SelectOptionInput', {
    fields: (t) => ({ value: t.string({ required: true }), label: t.string(), color: t.string({ description: '#rrggbb' }) }),
  });
  const DefineCustomFieldInput = builder.inputType('DefineCustomFieldInput', {
    fields: (t) => ({
      object: t.field({ type: ExtensibleObject, description: "The object it extends, built-in or a plugin's (or give customObjectId)." }),
      customObjectId: t.id({ description: 'The custom object it belongs to (or give object).' }),
      name: t.string({ required: true, description: 'The GraphQL field name: camelCase letters and digits, e.g. contractEnd.' }),
      label: t.string(),
      type: t.field({ type: CustomFieldType, required: true }),
      options: t.field({ type: [SelectOptionInput], description: 'SELECT and MULTI_SELECT: the options, in order.' }),
      required: t.boolean(),
      unique: t.boolean(),
      indexed: t.boolean({ description: 'Build an expression index: fast filters and sorts on large workspaces.' }),
      defaultValue: t.field({ type: 'JSON' }),
      description: t.string(),
      min: t.float({ description: 'Numbers: the least value; text: the least length.' }),
      max: t.float({ description: 'Numbers: the greatest value; text: the greatest length; RATING: the top of the scale (5).' }),
      currency: t.string({ description: 'MONEY: the ISO 4217 currency of every amount.' }),
      target: t.string({ description: 'RELATION: the type it points to (Customer, Company or a custom object).' }),
      position: t.int(),
    }),
  });
  const RenameCustomFieldInput = builder.inputType('RenameCustomFieldInput', {
    fields: (t) => ({ id: t.id({ required: true }), name: t.string({ required: true }), label: t.string() }),
  });
  const ArchiveCustomFieldInput = builder.inputType('ArchiveCustomFieldInput', {
    fields: (t) => ({ id: t.id({ required: true }), archived: t.boolean({ description: 'false restores it. @default true' }) }),
  });
  const DeleteCustomFieldInput = builder.inputType('DeleteCustomFieldInput', {
    fields: (t) => ({ id: t.id({ required: true }), force: t.boolean({ description: 'Delete even while saved segments filter on it.' }) }),
  });
  const CustomFieldPayload = builder.objectRef<{ customField: CustomField & { archived?: boolean } }>('CustomFieldPayload').implement({
    fields: (t) => ({ customField: t.field({ type: CustomFieldRef, resolve: (p) => p.customField }) }),
  });
  const DeleteCustomFieldPayload = builder.objectRef<{ deletedId: string; usedBy: string[] }>('DeleteCustomFieldPayload').implement({
    fields: (t) => ({
      deletedId: t.exposeID('deletedId'),
      usedBy: t.exposeStringList('usedBy', { description: 'What filtered on it (deleted with force): "Segment:<name>".' }),
    }),
  });

  builder.queryFields((t) => ({
    customFields: t.field({
      type: [CustomFieldRef],
      authScopes: { authenticated: true },
      description: "The workspace's live custom fields (of one object), in their order; with `includeArchived` (ADMIN) the archived ones too.",
      args: {
        object: t.arg({ type: ExtensibleObject }),
        customObjectId: t.arg.id({ description: "A custom object's fields." }),
        includeArchived: t.arg.boolean({ description: 'List archived fields too (`archived: true`), to restore them: ADMIN keys only. @default false' }),
      },
      resolve: (_root, args, ctx: GraphContext): Promise<ListedCustomField[]> =>
        listCustomFields(callerOf(ctx), ((args.customObjectId ?? args.object) as string | null) ?? undefined, { includeArchived: args.includeArchived ?? false }),
    }),
  }));

  builder.mutationFields((t) => ({
    defineCustomField: t.field({
      type: CustomFieldPayload,
      authScopes: { admin: true },
      args: { input: t.arg({ type: DefineCustomFieldInput, required: true }) },
      resolve: async (_root, { input }, ctx, info) => {
        const caller = callerOf(ctx);
        const { customObjectId, object, ...rest } = input;
        if ((customObjectId == null) === (object == null)) throw badInput('object: give object or customObjectId (one of them)', 'object');
        const customField = await defineCustomField(caller, { ...rest, object: (object ?? customObjectId) as never } as never, takenNamesIn(info.schema), (o) => extensible.has(o));
        // After commit: CONCURRENTLY cannot run in a transaction. Awaited, so the index exists when the answer arrives.
        await storage?.defined(caller.session.workspaceId, customField);
        await syncCustomObjectSearch(caller.db, caller.session.workspaceId, storage, customField.object);
        return { customField };
      },
    }),
    renameCustomField: t.field({
      type: CustomFieldPayload,
      authScopes: { admin: true },
      args: { input: t.arg({ type: RenameCustomFieldInput, required: true }) },
      resolve: async (_root, { input }, ctx, info) => {
        const caller = callerOf(ctx);
        const customField = await renameCustomField(caller, input, takenNamesIn(info.schema));
        // The document lists fields by position, then name: a rename may reorder it.
        await syncCustomObjectSearch(caller.db, caller.session.workspaceId, storage, customField.object);
        return { customField };
      },
    }),
    archiveCustomField: t.field({
      type: CustomFieldPayload,
      authScopes: { admin: true },
      args: { input: t.arg({ type: ArchiveCustomFieldInput, required: true }) },
      resolve: async (_root, { input }, ctx, info) => {
        const caller = callerOf(ctx);
        const customField = await archiveCustomField(caller, input, takenNamesIn(info.schema));
        await syncCustomObjectSearch(caller.db, caller.session.workspaceId, storage, customField.object);
        return { customField: { ...customField, archived: input.archived ?? true } };
      },
    }),
    deleteCustomField: t.field({
      type: DeleteCustomFieldPayload,
      authScopes: { admin: true },
      args: { input: t.arg({ type: DeleteCustomFieldInput, required: true }) },
      resolve: async (_root, { input }, ctx) => {
        const caller = callerOf(ctx);
        const { field, usedBy } = await deleteCustomField(caller, input);
        await storage?.deleted(caller.session.workspaceId, field);
        await syncCustomObjectSearch(caller.db, caller.session.workspaceId, storage, field.object);
        return { deletedId: field.id, usedBy: usedBy.map((u) => `${u.type}:${u.name}`) };
      },
    }),
  }));
  return CustomFieldRef;
}
