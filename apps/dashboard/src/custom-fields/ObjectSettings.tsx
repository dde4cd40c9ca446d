import { type FormEvent, useState } from 'react';
import { FormFooter, TextField } from '../components/FormParts.js';
import { useCrmMutation } from '../data/hooks.js';
import { Confirm, UsedBy, usedByOf } from './Confirm.js';
import type { CustomObject } from './definitions.js';
import { archiveCustomObject, deleteCustomObject, renameCustomObject } from './object-mutations.js';

type Mode = 'view' | 'rename' | 'archive' | 'delete';

/**
 * ADMIN's settings of the custom object chosen on the Fields page: its names, and rename, archive and delete (each
 * confirmed). A delete the API refuses because records or other objects' relation fields use the object lists them
 * (`extensions.usedBy`), then offers “Delete anyway” (`force: true`), which deletes them with it.
 */
export function ObjectSettings({ object, onChanged, onGone }: { object: CustomObject; onChanged: () => void; onGone: () => void }) {
  const [mode, setMode] = useState<Mode>('view');
  const [archiveState, archive] = useCrmMutation(archiveCustomObject);
  const [deleteState, remove] = useCrmMutation(deleteCustomObject);
  const usedBy = usedByOf(deleteState.error);
  const cancel = () => setMode('view');

  return (
    <section className="card object-settings" aria-labelledby="object-settings-title" data-testid="object-settings">
      <h2 id="object-settings-title">{object.label} settings</h2>
      <p>
        A custom object: type <code>{object.name}</code>, list <code>{object.pluralName}</code>
        {object.description && <span className="muted block">{object.description}</span>}
      </p>
      {mode === 'view' && (
        <div className="actions start">
          <button type="button" className="secondary small" onClick={() => setMode('rename')}>
            Rename object
          </button>
          <button type="button" className="secondary small" onClick={() => setMode('archive')}>
            Archive object
          </button>
          <button type="button" className="secondary small danger" onClick={() => setMode('delete')}>
            Delete object
          </button>
        </div>
      )}
      {mode === 'rename' && (
        <RenameObjectForm
          object={object}
          onDone={(renamed) => {
            setMode('view');
            if (renamed) onChanged();
          }}
        />
      )}
      {mode === 'archive' && (
        <Confirm
          question={`Archive ${object.label}?`}
          message={`Archive “${object.label}”? It leaves the API, the navigation and the forms with its fields; its records are kept, and “Restore” brings it back.`}
          error={archiveState.error}
          running={archiveState.running}
          confirmLabel="Archive object"
          onCancel={cancel}
          onConfirm={async () => !(await archive({ input: { id: object.id } })).error && onGone()}
        />
      )}
      {mode === 'delete' && (
        <Confirm
          question={`Delete ${object.label}?`}
          message={
            usedBy.length > 0
              ? `Delete “${object.label}” anyway? Its records (in the trash too) and the relation fields pointing at it go with it, for good.`
              : `Delete “${object.label}” and its fields for good?`
          }
          // A refusal because the object is in use lists its users instead (below), and offers to delete anyway.
          error={usedBy.length ? undefined : deleteState.error}
          running={deleteState.running}
          confirmLabel={usedBy.length > 0 ? 'Delete anyway' : 'Delete object'}
          danger
          onCancel={cancel}
          onConfirm={async () => !(await remove({ input: { id: object.id, force: usedBy.length > 0 } })).error && onGone()}
        >
          {usedBy.length > 0 && <UsedBy users={usedBy} />}
        </Confirm>
      )}
    </section>
  );
}

/** Its type name, list name, label and description; the API renames the root fields and event types with it. */
function RenameObjectForm({ object, onDone }: { object: CustomObject; onDone: (renamed: boolean) => void }) {
  const [name, setName] = useState(object.name);
  const [pluralName, setPluralName] = useState(object.pluralName);
  const [label, setLabel] = useState(object.label);
  const [description, setDescription] = useState(object.description ?? '');
  const [state, rename] = useCrmMutation(renameCustomObject);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const result = await rename({
      input: { id: object.id, name: name.trim(), pluralName: pluralName.trim(), label: label.trim(), description: description.trim() || null },
    });
    if (!result.error) onDone(true);
  }
  return (
    <form className="inline-form" onSubmit={submit} aria-label={`Rename ${object.label}`}>
      <TextField label="Type name (API)" value={name} onChange={setName} required />
      <TextField label="Plural (API list)" value={pluralName} onChange={setPluralName} required />
      <TextField label="Object label" value={label} onChange={setLabel} required />
      <TextField label="Object description" value={description} onChange={setDescription} />
      <FormFooter error={state.error} onCancel={() => onDone(false)} submitLabel="Save object" disabled={state.running} />
    </form>
  );
}
