import { ObjectCatalog } from '@crm/core';
import type { GraphQLSchema } from 'graphql';

/** The object catalog a schema was built from (kept in the schema's extensions by `buildSchema`). */
export function catalogOf(schema: GraphQLSchema): ObjectCatalog {
  const catalog = (schema.extensions as { objectCatalog?: unknown }).objectCatalog;
  if (!(catalog instanceof ObjectCatalog)) throw new Error('The schema was not built by buildSchema (no object catalog)');
  return catalog;
}
