import type { PrismaTypes } from '@crm/db';
import { getRefFromModel, type PrismaObjectRef } from '@pothos/plugin-prisma';
import type { Builder, SchemaTypes } from '../builder.js';

/**
 * The GraphQL type of a declared object, to use as a field's type (`t.field({ type: declaredRef(builder,
 * 'Competitor') })`): declared objects are registered from their declaration, so modules and plugins look them up.
 */
export function declaredRef<Model extends keyof PrismaTypes & string>(builder: Builder, model: Model) {
  return getRefFromModel(model, builder as never) as unknown as PrismaObjectRef<PothosSchemaTypes.ExtendDefaultTypes<SchemaTypes>, PrismaTypes[Model]>;
}
