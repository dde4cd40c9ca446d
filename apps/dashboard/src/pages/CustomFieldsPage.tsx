import { useState } from 'react';
import { Empty, ErrorMessage, Loading } from '../components/States.js';
import { ArchivedFields } from '../custom-fields/ArchivedFields.js';
import { DefineFieldForm } from '../custom-fields/DefineFieldForm.js';
import { ArchivedObjects } from '../custom-fields/ArchivedObjects.js';
import { DefineObjectForm } from '../custom-fields/DefineObjectForm.js';
import { useCustomFields, useCustomObjectsQuery, useFieldOwners } from '../custom-fields/definitions.js';
import { FieldRow } from '../custom-fields/FieldRow.js';
import { archivedCustomObjectsQuery } from '../custom-fields/object-mutations.js';
import { ObjectSettings } from '../custom-fields/ObjectSettings.js';
import { useCrmQuery } from '../data/hooks.js';
import { useIsAdmin } from '../data/role.js';

/**
 * ADMIN: the workspace's custom fields of each object (built-in and custom), live and archived; define, rename,
 * archive, restore, delete; and define, rename, archive, restore and delete custom objects.
 */
export function CustomFieldsPage() {
  const isAdmin = useIsAdmin();
  const { owners, refetch: refetchOwners } = useFieldOwners();
  const [ownerKey, setOwnerKey] = useState('object:CUSTOMER');
  const owner = owners.find((o) => o.key === ownerKey)?.owner ?? null;
  const [defining, setDefining] = useState<'field' | 'object' | null>(null);
  const fields = useCustomFields(isAdmin ? owner : null, { includeArchived: true });
  const objectsQuery = useCustomObjectsQuery(isAdmin);
  const objects = objectsQuery.data?.customObjects ?? [];
  const archivedObjects = useCrmQuery(archivedCustomObjectsQuery, {}, { pause: !isAdmin, requestPolicy: 'network-only' });
  const chosenObject = owner?.customObjectId ? objects.find((o) => o.id === owner.customObjectId) : undefined;
  // An object's change moves the navigation (its links come from the same query), this page's list of objects and the
  // archived ones: all are asked again.
  const objectsChanged = () => {
    refetchOwners();
    objectsQuery.refetch();
    archivedObjects.refetch();
  };
  const live = fields.data?.customFields.filter((f) => !f.archived) ?? [];
  const archived = fields.data?.customFields.filter((f) => f.archived) ?? [];

  if (!isAdmin) return <Empty>Only ADMIN keys define custom fields. Ask an admin to add the field you need.</Empty>;
  return (
    <div className="custom-fields-admin">
      <div className="page-head">
        <h1>Custom fields</h1>
        <label className="inline">
          Object
          <select value={ownerKey} onChange={(e) => setOwnerKey(e.target.value)}>
            {owners.map((o) => (
              <option key={o.key} value={o.key}>
                {o.label}
              </option>
            ))}
          </select>
        </label>
        {!defining && (
          <>
            <button type="button" onClick={() => setDefining('field')}>
              New field
            </button>
            <button type="button" className="secondary" onClick={() => setDefining('object')}>
              New object
            </button>
          </>
        )}
      </div>
      {defining === 'field' && owner && (
        <div className="card">
          <DefineFieldForm
            key={ownerKey}
            owner={owner}
            objects={objects}
            onDone={(defined) => {
              setDefining(null);
              if (defined) fields.refetch();
            }}
          />
        </div>
      )}
      {defining === 'object' && (
        <div className="card">
          <DefineObjectForm
            onDone={(id) => {
              setDefining(null);
              if (!id) return;
              // The new object is chosen: its fields are defined next.
              refetchOwners();
              setOwnerKey(`custom:${id}`);
            }}
          />
        </div>
      )}
      {chosenObject && (
        <ObjectSettings
          key={chosenObject.id}
          object={chosenObject}
          onChanged={objectsChanged}
          onGone={() => {
            setOwnerKey('object:CUSTOMER');
            objectsChanged();
          }}
        />
      )}
      {fields.error ? (
        <ErrorMessage error={fields.error} retry={fields.refetch} />
      ) : !fields.data ? (
        <Loading what="the fields" />
      ) : live.length === 0 ? (
        <Empty>No custom fields yet. “New field” adds one: it appears on every record’s page, as a column and a filter of the list, and in the API.</Empty>
      ) : (
        <div className="table-scroll">
          <table className="list stack" data-testid="field-list">
            <thead>
              <tr>
                <th scope="col">Field</th>
                <th scope="col">Type</th>
                <th scope="col">Rules</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {live.map((field) => (
                <FieldRow key={field.id} field={field} onChanged={fields.refetch} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ArchivedFields fields={archived} onChanged={fields.refetch} />
      <ArchivedObjects objects={archivedObjects.data?.customObjects ?? []} onRestored={objectsChanged} />
    </div>
  );
}
