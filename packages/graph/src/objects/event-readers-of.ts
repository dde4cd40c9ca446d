import { EventReaders } from '@crm/core';
import type { GraphQLSchema } from 'graphql';

/** Who reads the plugins' events, as the schema was built with them (`buildSchema`'s `eventReaders`). */
export function eventReadersOf(schema: GraphQLSchema): EventReaders {
  const readers = (schema.extensions as { eventReaders?: unknown }).eventReaders;
  return readers instanceof EventReaders ? readers : EventReaders.none;
}
