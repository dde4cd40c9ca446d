import { useState } from 'react';
import { Empty, ErrorMessage, Loading } from '../components/States.js';
import { DefineFieldForm } from '../custom-fields/DefineFieldForm.js';
import { type ExtensibleObject, useCustomFields, useCustomObjects } from '../custom-fields/definitions.js';
import { FieldRow } from '../custom-fields/FieldRow.js';
import { useIsAdmin } from '../data/role.js';

const OBJECTS: { value: ExtensibleObject; label: string }[] = [
  { value: 'CUSTOMER', label: 'Customers' },
  { value: 'COMPANY', label: 'Companies' },
];

/** ADMIN: the workspace's custom fields of customers and companies; define, rename, archive, delete. */
export function CustomFieldsPage() {
  const isAdmin = useIsAdmin();
  const [object, setObject] = useState<ExtensibleObject>('CUSTOMER');
  const [defining, setDefining] = useState(false);
  const fields = useCustomFields(object);
  const objects = useCustomObjects(isAdmin);

  if (!isAdmin) return <Empty>Only ADMIN keys define custom fields. Ask an admin to add the field you need.</Empty>;
  return (
    <div className="custom-fields-admin">
      <div className="page-head">
        <h1>Custom fields</h1>
        <label className="inline">
          Object
          <select value={object} onChange={(e) => setObject(e.target.value as ExtensibleObject)}>
            {OBJECTS.map((o) => (
              <option key={o.value} value={o.value}>
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
            key={object}
            object={object}
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
