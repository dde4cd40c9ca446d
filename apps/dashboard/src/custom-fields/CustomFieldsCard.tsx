import { type FormEvent, useEffect, useState } from 'react';
import { FormFooter } from '../components/FormParts.js';
import { Empty, ErrorMessage, Loading } from '../components/States.js';
import { useCrmMutation, useCrmQuery } from '../data/hooks.js';
import { recordIn, UnexpectedAnswer } from '../data/workspace-answers.js';
import { CustomFieldInput } from './CustomFieldInput.js';
import { CustomValue } from './CustomValue.js';
import { type CustomFieldDefinition, type CustomObject, isBuiltInTarget, useCustomFields, useCustomObjectsQuery } from './definitions.js';
import type { RecordKind } from './record-kinds.js';
import { type CustomValues, recordValuesDocument, refusedField, updateRecordValuesDocument, valuesInput } from './record-values.js';
import { changed, displayText, type FormValue, formValueOf, inputValueOf } from './values.js';

/**
 * A record's custom fields (the workspace's own; all of a custom object's fields), shown and, for MEMBER and ADMIN
 * keys, editable with the input of each type. `version` grows with events about the record: the values are asked again.
 */
export function CustomFieldsCard(props: { kind: RecordKind; recordId: string; canEdit: boolean; version: number; title: string; onSaved?: () => void }) {
  const { kind, recordId, canEdit, version, title } = props;
  const definitions = useCustomFields(kind.owner);
  const fields = definitions.data?.customFields ?? [];
  const needsObjects = fields.some((f) => f.type === 'RELATION' && !isBuiltInTarget(f.target));
  const objectsQuery = useCustomObjectsQuery(needsObjects);
  const objects = objectsQuery.data?.customObjects ?? [];
  const document = recordValuesDocument(kind, fields, objects);
  // A relation to a custom object reads its records' names: the document is written once the objects are known (the
  // one written without them is none of the workspace's trusted documents).
  const values = useCrmQuery<unknown, { id: string }>(document, { id: recordId }, { pause: fields.length === 0 || (needsObjects && !objectsQuery.data) });
  const { refetch } = values;
  useEffect(() => {
    if (version > 0) refetch();
  }, [version, refetch]);
  const [editing, setEditing] = useState(false);

  if (definitions.error) return <ErrorMessage error={definitions.error} retry={definitions.refetch} />;
  if (!definitions.data) return null;
  if (fields.length === 0) return null;
  let record: CustomValues | null | undefined;
  try {
    record = values.data === undefined ? undefined : recordIn(values.data, kind.single);
  } catch (error) {
    if (!(error instanceof UnexpectedAnswer)) throw error;
    return <Empty>{error.message}</Empty>;
  }
  return (
    <section className="card" aria-labelledby="custom-fields-title" data-testid="custom-fields">
      <div className="page-head">
        <h2 id="custom-fields-title">{title}</h2>
        {canEdit && !editing && record && (
          <button type="button" className="secondary" onClick={() => setEditing(true)}>
            Edit fields
          </button>
        )}
      </div>
      {values.error ? (
        <ErrorMessage error={values.error} retry={values.refetch} />
      ) : !record ? (
        <Loading what="the custom fields" />
      ) : editing ? (
        <CustomFieldsForm
          kind={kind}
          record={record}
          fields={fields}
          objects={objects}
          onDone={(saved) => {
            setEditing(false);
            // Workspace documents have no cache to update: the values are asked again.
            if (saved) {
              values.refetch();
              props.onSaved?.();
            }
          }}
        />
      ) : (
        <dl className="pairs">
          {fields.map((field) => (
            <div key={field.id} className="pair" data-testid={`custom-value-${field.name}`}>
              <dt title={field.description ?? undefined}>{field.label}</dt>
              <dd>
                <CustomValue field={field} value={record[field.name]} objects={objects} />
              </dd>
            </div>
          ))}
        </dl>
      )}
    </section>
  );
}

function CustomFieldsForm(props: { kind: RecordKind; record: CustomValues; fields: CustomFieldDefinition[]; objects: CustomObject[]; onDone: (saved: boolean) => void }) {
  const { kind, record, fields, objects, onDone } = props;
  const [form, setForm] = useState<Record<string, FormValue>>(() => Object.fromEntries(fields.map((f) => [f.name, formValueOf(f, record[f.name])])));
  // A relation's chosen record, named for people (the picker knows its name; the stored value only its id).
  const [labels, setLabels] = useState<Record<string, string | null>>(() =>
    Object.fromEntries(fields.filter((f) => f.type === 'RELATION').map((f) => [f.name, record[f.name] ? displayText(f, record[f.name], objects) : null])),
  );
  const [state, update] = useCrmMutation<Record<string, { id: string }>, { input: Record<string, unknown> }>(updateRecordValuesDocument(kind, fields, objects));
  const refused = refusedField(state.error, fields);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const values = Object.fromEntries(fields.filter((f) => changed(f, record[f.name], form[f.name]!)).map((f) => [f.name, inputValueOf(f, form[f.name]!)]));
    if (Object.keys(values).length === 0) return onDone(false);
    const result = await update({ input: valuesInput(kind, values, { id: record.id }) });
    if (!result.error) onDone(true);
  }
  return (
    <form className="inline-form custom-fields-form" onSubmit={submit} aria-label="Edit custom fields" noValidate>
      <CustomFieldInputs fields={fields} objects={objects} form={form} labels={labels} refused={refused} onChange={setForm} onLabels={setLabels} />
      <FormFooter error={refused ? undefined : state.error} onCancel={() => onDone(false)} submitLabel="Save fields" disabled={state.running} />
    </form>
  );
}

/** An input per field (the edit form's and the new record form's), each showing the server's refusal naming it. */
export function CustomFieldInputs(props: {
  fields: readonly CustomFieldDefinition[];
  objects: readonly CustomObject[];
  form: Record<string, FormValue>;
  labels: Record<string, string | null>;
  refused: { field: string; message: string } | null;
  onChange: (update: (previous: Record<string, FormValue>) => Record<string, FormValue>) => void;
  onLabels: (update: (previous: Record<string, string | null>) => Record<string, string | null>) => void;
}) {
  const { fields, objects, form, labels, refused } = props;
  return (
    <>
      {fields.map((field) => (
        <CustomFieldInput
          key={field.id}
          field={field}
          objects={objects}
          value={form[field.name] ?? (field.type === 'MULTI_SELECT' ? [] : '')}
          relationLabel={labels[field.name]}
          error={refused?.field === field.name ? refused.message : null}
          onChange={(value, label) => {
            props.onChange((previous) => ({ ...previous, [field.name]: value }));
            if (label !== undefined) props.onLabels((previous) => ({ ...previous, [field.name]: label }));
          }}
        />
      ))}
    </>
  );
}
