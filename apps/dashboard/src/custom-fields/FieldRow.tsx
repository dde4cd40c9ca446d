import { type FormEvent, useState } from 'react';
import { describeError } from '../data/format.js';
import { useCrmMutation } from '../data/hooks.js';
import { Confirm, UsedBy, usedByOf } from './Confirm.js';
import { Swatch } from './CustomFieldInput.js';
import { archiveCustomField, deleteCustomField, renameCustomField } from './definition-mutations.js';
import { type CustomFieldDefinition, TYPE_LABELS } from './definitions.js';

type Mode = 'view' | 'rename' | 'archive' | 'delete';

/** One defined field in the ADMIN list: its settings, and rename, archive and delete (each confirmed). */
export function FieldRow({ field, onChanged }: { field: CustomFieldDefinition; onChanged: () => void }) {
  const [mode, setMode] = useState<Mode>('view');
  const [name, setName] = useState(field.name);
  const [label, setLabel] = useState(field.label);
  const [renameState, rename] = useCrmMutation(renameCustomField);
  const [archiveState, archive] = useCrmMutation(archiveCustomField);
  const [deleteState, remove] = useCrmMutation(deleteCustomField);
  const usedBy = usedByOf(deleteState.error);
  const flags = [field.required && 'required', field.unique && 'unique', field.indexed && 'indexed'].filter(Boolean).join(', ');
  const cancel = () => setMode('view');

  async function submitRename(event: FormEvent) {
    event.preventDefault();
    const result = await rename({ input: { id: field.id, name: name.trim(), label: label.trim() || null } });
    if (!result.error) {
      setMode('view');
      onChanged();
    }
  }
  const done = (result: { error?: unknown }) => !result.error && onChanged();

  return (
    <tr data-testid={`field-${field.name}`}>
      <td>
        <strong>{field.label}</strong>
        <code className="block">{field.name}</code>
        {field.description && <span className="muted block">{field.description}</span>}
      </td>
      <td data-label="Type">
        {TYPE_LABELS[field.type]}
        {field.type === 'MONEY' && field.currency ? ` (${field.currency})` : ''}
        {field.type === 'RELATION' && field.target ? ` → ${field.target}` : ''}
        {field.options.length > 0 && (
          <span className="chips block">
            {field.options.map((o) => (
              <span className="chip" key={o.value}>
                <Swatch color={o.color} />
                {o.label}
              </span>
            ))}
          </span>
        )}
      </td>
      <td data-label="Rules">
        {flags || '—'}
        {(field.min != null || field.max != null) && <span className="muted block">{`${field.min ?? '…'} to ${field.max ?? '…'}`}</span>}
        {field.defaultValue != null && <span className="muted block">default {JSON.stringify(field.defaultValue)}</span>}
      </td>
      <td>
        {mode === 'view' && (
          <div className="actions start">
            <button type="button" className="secondary small" onClick={() => setMode('rename')} aria-label={`Rename ${field.label}`}>
              Rename
            </button>
            <button type="button" className="secondary small" onClick={() => setMode('archive')} aria-label={`Archive ${field.label}`}>
              Archive
            </button>
            <button type="button" className="secondary small danger" onClick={() => setMode('delete')} aria-label={`Delete ${field.label}`}>
              Delete
            </button>
          </div>
        )}
        {mode === 'rename' && (
          <form className="inline-form tight" onSubmit={submitRename} aria-label={`Rename ${field.label}`}>
            <label>
              New name (API)
              <input value={name} onChange={(e) => setName(e.target.value)} required />
            </label>
            <label>
              New label
              <input value={label} onChange={(e) => setLabel(e.target.value)} />
            </label>
            {renameState.error && (
              <p role="alert" className="error">
                {describeError(renameState.error)}
              </p>
            )}
            <div className="actions">
              <button type="button" className="secondary small" onClick={cancel}>
                Cancel
              </button>
              <button type="submit" className="small" disabled={renameState.running}>
                Save name
              </button>
            </div>
          </form>
        )}
        {mode === 'archive' && (
          <Confirm
            question={`Archive ${field.label}?`}
            message={`Archive “${field.label}”? It leaves the API and the forms; its values are kept.`}
            error={archiveState.error}
            running={archiveState.running}
            confirmLabel="Archive field"
            onCancel={cancel}
            onConfirm={async () => done(await archive({ input: { id: field.id } }))}
          />
        )}
        {mode === 'delete' && (
          <Confirm
            question={`Delete ${field.label}?`}
            message={`Delete “${field.label}”? Its values are removed from every record.`}
            // A refusal because the field is in use lists its users instead (below), and offers to delete anyway.
            error={usedBy.length ? undefined : deleteState.error}
            running={deleteState.running}
            confirmLabel={usedBy.length > 0 ? 'Delete anyway' : 'Delete field'}
            danger
            onCancel={cancel}
            onConfirm={async () => done(await remove({ input: { id: field.id, force: usedBy.length > 0 } }))}
          >
            {usedBy.length > 0 && <UsedBy users={usedBy} />}
          </Confirm>
        )}
      </td>
    </tr>
  );
}
