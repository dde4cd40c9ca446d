import { Empty, ErrorMessage, Loading } from '../components/States.js';
import { titleCase } from '../data/format.js';
import { useCrmQuery } from '../data/hooks.js';
import { trashObjectsQuery, typeOfGlobalId } from '../trash/documents.js';
import { TrashRow } from '../trash/TrashRow.js';
import { useMergedTrash } from '../trash/useMergedTrash.js';

/**
 * The trash of every object the key may read (core's, plugins' and the workspace's custom objects, from the schema's
 * `TrashObject`), most recently deleted first, paged; restore a record, or (ADMIN) delete it forever.
 */
export function TrashPage() {
  const objects = useCrmQuery(trashObjectsQuery, {}, { requestPolicy: 'network-only' });
  // gql.tada does not type introspection fields: the shape is the spec's.
  const values = (objects.data?.__type as { enumValues?: { name: string }[] | null } | null | undefined)?.enumValues?.map((v) => v.name);
  const trash = useMergedTrash(objects.data ? (values ?? []) : undefined);
  const customLabels = new Map((objects.data?.customObjects ?? []).map((o) => [o.name, o.label]));
  const typeLabel = (type: string | null, object: string) => (type && customLabels.get(type)) ?? titleCase(object);

  if (objects.error) return <ErrorMessage error={objects.error} retry={objects.refetch} />;
  return (
    <div className="trash">
      <div className="page-head">
        <h1>Trash</h1>
      </div>
      <p className="muted">Deleted records stay here until they are restored, deleted forever, or removed by the workspace’s retention period.</p>
      {trash.error ? (
        <ErrorMessage error={trash.error} retry={trash.reload} />
      ) : trash.entries.length === 0 ? (
        trash.loading ? <Loading what="the trash" /> : <Empty>The trash is empty. Records deleted anywhere in the workspace appear here, newest first.</Empty>
      ) : (
        <div className="table-scroll">
          <table className="list stack" data-testid="trash-list">
            <thead>
              <tr>
                <th scope="col">Record</th>
                <th scope="col">Type</th>
                <th scope="col">Trashed</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {trash.entries.map((entry) => {
                const type = typeOfGlobalId(entry.id);
                return type && <TrashRow key={entry.id} entry={entry} type={type} typeLabel={typeLabel(type, entry.object)} onChanged={trash.reload} />;
              })}
            </tbody>
          </table>
        </div>
      )}
      {trash.hasMore && trash.entries.length > 0 && (
        <button type="button" className="secondary" onClick={trash.loadMore} disabled={trash.loading}>
          {trash.loading ? 'Loading…' : 'Load more'}
        </button>
      )}
    </div>
  );
}
