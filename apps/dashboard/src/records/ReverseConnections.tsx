import { connectionsTo as connectionsToType, reverseConnectionsDocument } from '@crm/gateway/workspace-documents';
import { useEffect } from 'react';
import { Empty, ErrorMessage } from '../components/States.js';
import { type CustomObject, labelFieldOf, useCustomObjectsQuery } from '../custom-fields/definitions.js';
import { type RecordKind, recordRoute } from '../custom-fields/record-kinds.js';
import { useCrmQuery } from '../data/hooks.js';
import { connectionIn, recordIn, UnexpectedAnswer } from '../data/workspace-answers.js';
import { hrefOf } from '../router.js';

/** The reverse connections of relations to `kind`, as the workspace's schema names them (`Customer.contracts`). */
export const connectionsTo = (kind: RecordKind, objects: readonly CustomObject[]) => connectionsToType(kind.type, objects);

/** The records of custom objects that point at this record (`Customer.contracts`), each linked to its page. */
export function ReverseConnections({ kind, recordId, version }: { kind: RecordKind; recordId: string; version: number }) {
  const objects = useCustomObjectsQuery();
  const connections = connectionsTo(kind, objects.data?.customObjects ?? []);
  const document = reverseConnectionsDocument(kind, objects.data?.customObjects ?? []) ?? '';
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
        const title = `${connection.source.label} (${connection.fieldName})`;
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
