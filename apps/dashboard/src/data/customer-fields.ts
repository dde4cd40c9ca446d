// Which fields the gateway serves on Customer: plugins add some (`loyalty`…) and a gateway started without them
// (CRM_PLUGINS=) does not have them, so panels that read them ask first. Learned once per client (= per session).
import { type Client, graphql } from '@crm/client';
import { useEffect, useState } from 'react';
import { useClient } from './hooks.js';

const customerFieldsQuery = graphql(`query CustomerFields { __type(name: "Customer") { fields { name } } }`);

const learned = new WeakMap<Client, Promise<ReadonlySet<string>>>();

function learn(client: Client): Promise<ReadonlySet<string>> {
  let fields = learned.get(client);
  if (!fields) {
    fields = client
      .query(customerFieldsQuery, {}, { requestPolicy: 'network-only' })
      .toPromise()
      .then((result) => {
        // gql.tada does not type introspection fields: the shape is the spec's.
        const type = result.data?.__type as { fields?: { name: string }[] | null } | null | undefined;
        if (!type) throw result.error ?? new Error('The gateway has no Customer type');
        return new Set(type.fields?.map((field) => field.name) ?? []);
      });
    // A failure (the network) is not remembered: the next page asks again.
    fields.catch(() => learned.delete(client));
    learned.set(client, fields);
  }
  return fields;
}

/** The names of Customer's fields on this gateway; undefined until known (or when they could not be learned). */
export function useCustomerFields(): ReadonlySet<string> | undefined {
  const client = useClient();
  const [fields, setFields] = useState<ReadonlySet<string>>();
  useEffect(() => {
    let current = true;
    learn(client).then(
      (names) => current && setFields(names),
      () => current && setFields(undefined),
    );
    return () => void (current = false);
  }, [client]);
  return fields;
}
