import { graphql } from '@crm/client';
import { type FormEvent, useState } from 'react';
import { FormFooter, TextField } from '../components/FormParts.js';
import { useCrmMutation } from '../data/hooks.js';

const defineCustomObject = graphql(`
  mutation DefineCustomObject($input: DefineCustomObjectInput!) { defineCustomObject(input: $input) { customObject { id name pluralName label } } }
`);

/** ADMIN defines a custom object (docs/custom-fields.md, "Custom objects"); its fields are then defined like any. */
export function DefineObjectForm({ onDone }: { onDone: (id: string | null) => void }) {
  const [name, setName] = useState('');
  const [label, setLabel] = useState('');
  const [pluralName, setPluralName] = useState('');
  const [description, setDescription] = useState('');
  const [state, define] = useCrmMutation(defineCustomObject);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const result = await define({
      input: { name: name.trim(), label: label.trim() || null, pluralName: pluralName.trim() || null, description: description.trim() || null },
    });
    if (result.data) onDone(result.data.defineCustomObject.customObject.id);
  }
  return (
    <form className="inline-form define-field" onSubmit={submit} aria-label="Define an object">
      <h2>New object</h2>
      <TextField label="Type name (API, e.g. Contract)" value={name} onChange={setName} required />
      <TextField label="Object label" value={label} onChange={setLabel} />
      <TextField label="Plural (API list, e.g. contracts)" value={pluralName} onChange={setPluralName} />
      <TextField label="Object description" value={description} onChange={setDescription} />
      <FormFooter error={state.error} onCancel={() => onDone(null)} submitLabel="Define object" disabled={state.running} />
    </form>
  );
}
