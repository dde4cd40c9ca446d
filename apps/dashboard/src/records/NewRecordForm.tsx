import { createRecordDocument } from '@crm/gateway/workspace-documents';
import { type FormEvent, useState } from 'react';
import { FormFooter } from '../components/FormParts.js';
import { CustomFieldInputs } from '../custom-fields/CustomFieldsCard.js';
import type { CustomFieldDefinition, CustomObject } from '../custom-fields/definitions.js';
import type { RecordKind } from '../custom-fields/record-kinds.js';
import { refusedField, valuesInput } from '../custom-fields/record-values.js';
import { type FormValue, inputValueOf } from '../custom-fields/values.js';
import { useCrmMutation } from '../data/hooks.js';
import { payloadIn, recordIn } from '../data/workspace-answers.js';

/** A new record of a custom object: an input per field (defaults left to the server); the refusal shown at its field. */
export function NewRecordForm(props: { kind: RecordKind; label: string; fields: readonly CustomFieldDefinition[]; objects: readonly CustomObject[]; onDone: (id: string | null) => void }) {
  const { kind, label, fields, objects, onDone } = props;
  const [form, setForm] = useState<Record<string, FormValue>>({});
  const [labels, setLabels] = useState<Record<string, string | null>>({});
  const [state, create] = useCrmMutation<unknown, { input: Record<string, unknown> }>(createRecordDocument(kind));
  const refused = refusedField(state.error, fields);

  async function submit(event: FormEvent) {
    event.preventDefault();
    // Fields left empty are not sent: the server gives them their default (or refuses a missing required one).
    const values = Object.fromEntries(
      fields.flatMap((f) => {
        const value = f.name in form ? inputValueOf(f, form[f.name]!) : null;
        return value === null || (Array.isArray(value) && value.length === 0) ? [] : [[f.name, value]];
      }),
    );
    const result = await create({ input: valuesInput(kind, values) });
    if (!result.error) onDone(recordIn(payloadIn(result.data, `create${kind.type}`), kind.single)?.id ?? null);
  }
  return (
    <form className="inline-form custom-fields-form" onSubmit={submit} aria-label={`New ${label}`} noValidate>
      <h2>New {label}</h2>
      <CustomFieldInputs fields={fields} objects={objects} form={form} labels={labels} refused={refused} onChange={setForm} onLabels={setLabels} />
      <FormFooter error={refused ? undefined : state.error} onCancel={() => onDone(null)} submitLabel={`Create ${label}`} disabled={state.running} />
    </form>
  );
}
