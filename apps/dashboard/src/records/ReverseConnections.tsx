import { useEffect } from 'react';
import { Empty, ErrorMessage } from '../components/States.js';
import { type CustomObject, labelFieldOf, useCustomObjectsQuery } from '../custom-fields/definitions.js';
import { customObjectKind, type RecordKind, recordRoute } from '../custom-fields/record-kinds.js';
import { useCrmQuery } from '../data/hooks.js';
import { connectionIn, recordIn, UnexpectedAnswer } from '../data/workspace-answers.js';
import { hrefOf } from '../router.js';

/** How many linked records each connection shows (its total is said). */
const FIRST = 10;

interface Connection {
  /** The field on the record's type: `contracts`, `contractsAsGuarantor`. */
  name: string;
  /** The custom object whose relation field points here, and that field's label. */
  source: CustomObject;
  fieldLabel: string;
}

/**
 * The reverse connections of a relation to `kind` (docs/custom-fields.md, "Relation fields"): each custom object's
 * relation field pointing at `kind` adds one, named the object's plural when the field is named after the target
 * (`Contract.customer` → `Customer.contracts`), else the plural, `As` and the field's name (`contractsAsGuarantor`).
 */
export function connectionsTo(kind: RecordKind, objects: readonly CustomObject[]): Connection[] {
  const named = kind.type.charAt(0).toLowerCase() + kind.type.slice(1);
  return objects.flatMap((source) =>
    source.fields
      .filter((field) => field.type === 'RELATION' && field.target === kind.type)
      .map((field) => ({
        name: field.name === named ? source.pluralName : `${source.pluralName}As${field.name.charAt(0).toUpperCase()}${field.name.slice(1)}`,
        source,
        fieldLabel: field.name,
      })),
  );
}

/** The records of custom objects that point at this record (`Customer.contracts`), each linked to its page. */
export function ReverseConnections({ kind, recordId, version }: { kind: RecordKind; recordId: string; version: number }) {
  const objects = useCustomObjectsQuery();
  const connections = connectionsTo(kind, objects.data?.customObjects ?? []);
  const selection = connections
    .map((c, i) => {
      const label = labelFieldOf(c.source.name, objects.data?.customObjects ?? []);
      return `r${i}: ${c.name}(first: ${FIRST}) { totalCount edges { node { id${label ? ` ${label}` : ''} } } }`;
    })
    .join(' ');
  const document = `query ReverseConnections($id: ID!) { ${kind.single}(id: $id) { id ${selection} } }`;
  const query = useCrmQuery<unknown, { id: string }>(document, { id: recordId }, { pause: connections.length === 0 });
  const { refetch } = query;
  useEffect(() => {
    if (version > 0) refetch();
  }, [version, refetch]);

  if (connections.length === 0) return null;
  if (query.error) return <ErrorMessage error={query.error} retry={query.refetch} />;
  if (query.data === undefined) return null;
  let pages;
  try {
    const record = recordIn(query.data, kind.single);
    if (!record) return null;
    pages = connections.map((_, i) => connectionIn(record, `r${i}`));
  } catch (error) {
    if (error instanceof UnexpectedAnswer) return <Empty>{error.message}</Empty>;
    throw error;
  }
  return (
    <>
      {connections.map((connection, i) => {
        const page = pages[i]!;
        const label = labelFieldOf(connection.source.name, objects.data?.customObjects ?? []);
        const title = `${connection.source.label} (${connection.fieldLabel})`;
        const id = `reverse-${connection.name}`;
        return (
          <section key={connection.name} className="card" aria-labelledby={`${id}-title`} data-testid={id}>
            <h2 id={`${id}-title`}>
              {title}: {page.totalCount}
            </h2>
            {page.records.length === 0 ? (
              <Empty>None yet.</Empty>
            ) : (
              <ul className="links">
                {page.records.map((linked) => (
                  <li key={linked.id}>
                    <a href={hrefOf(recordRoute(connection.source.name, linked.id))}>{String((label && linked[label]) ?? linked.id)}</a>
                  </li>
                ))}
              </ul>
            )}
            {page.totalCount > page.records.length && (
              <p className="muted">
                <a href={hrefOf({ page: 'records', object: connection.source.name })}>All {connection.source.pluralName}</a>
              </p>
            )}
          </section>
        );
      })}
    </>
  );
}
