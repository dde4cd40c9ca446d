import { useState } from 'react';
import { Empty, ErrorMessage, Loading } from '../components/States.js';
import { DefineFieldForm } from '../custom-fields/DefineFieldForm.js';
import { CUSTOMERS, useCustomFields, useCustomObjects, useFieldOwners } from '../custom-fields/definitions.js';
import { FieldRow } from '../custom-fields/FieldRow.js';
import { useIsAdmin } from '../data/role.js';

/** ADMIN: the workspace's custom fields of each object (built-in and custom); define, rename, archive, delete. */
export function CustomFieldsPage() {
  const isAdmin = useIsAdmin();
  const owners = useFieldOwners();
  const [ownerKey, setOwnerKey] = useState('object:CUSTOMER');
  const owner = owners.find((o) => o.key === ownerKey)?.owner ?? CUSTOMERS;
  const [defining, setDefining] = useState(false);
  const fields = useCustomFields(owner);
  const objects = useCustomObjects(isAdmin);

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
          <button type="button" onClick={() => setDefining(true)}>
            New field
          </button>
        )}
      </div>
      {defining && (
        <div className="card">
          <DefineFieldForm
            key={ownerKey}
            owner={owner}
            objects={objects}
            onDone={(defined) => {
              setDefining(false);
              if (defined) fields.refetch();
            }}
          />
        </div>
      )}
      {fields.error ? (
        <ErrorMessage error={fields.error} retry={fields.refetch} />
      ) : !fields.data ? (
        <Loading what="the fields" />
      ) : fields.data.customFields.length === 0 ? (
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
              {fields.data.customFields.map((field) => (
                <FieldRow key={field.id} field={field} onChanged={fields.refetch} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
