// The gateway's schema as SDL, for the committed schema.graphql that typed clients (gql.tada) read and reviews diff.
import { buildSchema } from '@crm/graph';
import { pluginHostFromEnvironment } from '@crm/plugin-sdk/host';
import { printSchema } from 'graphql';

/**
 * The SDL of the schema the gateway serves with every bundled plugin on (whatever CRM_PLUGINS says), so typed
 * clients can use any plugin's fields. Printed in registration order (not sorted), so enum values keep their
 * meaning (lifecycle stages are a funnel). The plugins must be built.
 */
export async function printGatewaySchema(): Promise<string> {
  const { host } = await pluginHostFromEnvironment({ bundledOnly: true });
  return `${printSchema(buildSchema({ objects: host.objects, extend: [host.extendSchema] }))}\n`;
}
