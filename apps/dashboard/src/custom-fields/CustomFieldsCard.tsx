import { type FormEvent, useEffect, useState } from 'react';
import { FormFooter } from '../components/FormParts.js';
import { ErrorMessage, Loading } from '../components/States.js';
import { useCrmMutation, useCrmQuery } from '../data/hooks.js';
import { customerValuesDocument, type CustomValues, refusedField, updateCustomerValuesDocument } from './customer-values.js';
import { CustomFieldInput } from './CustomFieldInput.js';
import { CustomValue } from './CustomValue.js';
import { CUSTOMERS, type CustomFieldDefinition, type CustomObject, isBuiltInTarget, useCustomFields, useCustomObjects } from './definitions.js';
import { changed, displayText, type FormValue, formValueOf, inputValueOf } from './values.js';

/** The customer's custom fields (the workspace's own), shown and, for MEMBER and ADMIN keys, editable. */
export function CustomFieldsCard({ customerId, canEdit, version }: { customerId: string; canEdit: boolean; version: number }) {
  const definitions = useCustomFields(CUSTOMERS);
  const fields = definitions.data?.customFields ?? [];
  const objects = useCustomObjects(fields.some((f) => f.type === 'RELATION' && !isBuiltInTarget(f.target)));
  const document = customerValuesDocument(fields, objects);
  const values = useCrmQuery<{ customer: CustomValues | null }, { id: string }>(document, { id: customerId }, { pause: fields.length === 0 });
  // `version` grows with events about the customer (another user's edit): the values are asked again.
  const { refetch } = values;
  useEffect(() => {
    if (version > 0) refetch();
  }, [version, refetch]);
  const [editing, setEditing] = useState(false);

  if (definitions.error) return <ErrorMessage error={definitions.error} retry={definitions.refetch} />;
  if (!definitions.data) return null;
  if (fields.length === 0) return null;
  const customer = values.data?.customer;
  return (
    <section className="card" aria-labelledby="custom-fields-title" data-testid="custom-fields">
      <div className="page-head">
        <h2 id="custom-fields-title">More about them</h2>
        {canEdit && !editing && customer && (
          <button type="button" className="secondary" onClick={() => setEditing(true)}>
            Edit fields
          </button>
        )}
      </div>
      {values.error ? (
        <ErrorMessage error={values.error} retry={values.refetch} />
      ) : !customer ? (
        <Loading what="the custom fields" />
      ) : editing ? (
        <CustomFieldsForm
          customer={customer}
          fields={fields}
          objects={objects}
          onDone={(saved) => {
            setEditing(false);
            // Workspace documents have no cache to update: the values are asked again.
            if (saved) values.refetch();
          }}
        />
      ) : (
        <dl className="pairs">
          {fields.map((field) => (
            <div key={field.id} className="pair" data-testid={`custom-value-${field.name}`}>
              <dt title={field.description ?? undefined}>{field.label}</dt>
              <dd>
                <CustomValue field={field} value={customer[field.name]} objects={objects} />
              </dd>
            </div>
          ))}
        </dl>
      )}
    </section>
  );
}

function CustomFieldsForm({ customer, fields, objects, onDone }: { customer: CustomValues; fields: CustomFieldDefinition[]; objects: CustomObject[]; onDone: (saved: boolean) => void }) {
  const [form, setForm] = useState<Record<string, FormValue>>(() => Object.fromEntries(fields.map((f) => [f.name, formValueOf(f, customer[f.name])])));
  // A relation's chosen record, named for people (the picker knows its name; the stored value only its id).
  const [labels, setLabels] = useState<Record<string, string | null>>(() =>
    Object.fromEntries(fields.filter((f) => f.type === 'RELATION').map((f) => [f.name, customer[f.name] ? displayText(f, customer[f.name], objects) : null])),
  );
  const [state, update] = useCrmMutation<{ updateCustomer: { customer: CustomValues } }, { input: Record<string, unknown> }>(updateCustomerValuesDocument(fields, objects));
  const refused = refusedField(state.error);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const customFields = Object.fromEntries(fields.filter((f) => changed(f, customer[f.name], form[f.name]!)).map((f) => [f.name, inputValueOf(f, form[f.name]!)]));
    if (Object.keys(customFields).length === 0) return onDone(false);
    const result = await update({ input: { id: customer.id, customFields } });
    if (!result.error) onDone(true);
  }
  return (
    <form className="inline-form custom-fields-form" onSubmit={submit} aria-label="Edit custom fields" noValidate>
      {fields.map((field) => (
        <CustomFieldInput
          key={field.id}
          field={field}
          objects={objects}
          value={form[field.name]!}
          relationLabel={labels[field.name]}
          error={refused?.field === field.name ? refused.message : null}
          onChange={(value, label) => {
            setForm((previous) => ({ ...previous, [field.name]: value }));
            if (label !== undefined) setLabels((previous) => ({ ...previous, [field.name]: label }));
          }}
        />
      ))}
      <FormFooter error={refused ? undefined : state.error} onCancel={() => onDone(false)} submitLabel="Save fields" disabled={state.running} />
    </form>
  );
}
