// The gateway's schema as SDL, for the committed schema.graphql that typed clients (gql.tada) read and reviews diff.
import { type BuildSchemaOptions, buildSchema } from '@crm/graph';
import { printSchema } from 'graphql';

/**
 * The SDL of the schema the gateway serves: the core graph plus the given extensions (every bundled plugin on).
 * Printed in registration order (not sorted), so enum values keep their meaning (lifecycle stages are a funnel).
 */
export function printGatewaySchema(extend: BuildSchemaOptions['extend'] = []): string {
  return `${printSchema(buildSchema({ extend }))}\n`;
}
