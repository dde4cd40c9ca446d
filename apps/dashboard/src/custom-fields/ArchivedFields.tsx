import { describeError } from '../data/format.js';
import { useCrmMutation } from '../data/hooks.js';
import { archiveCustomField } from './definition-mutations.js';
import { type CustomFieldDefinition, TYPE_LABELS } from './definitions.js';

/**
 * ADMIN's archived fields of an object: out of the schema and the forms, their values kept; Restore brings one back
 * (`archiveCustomField(input: { id, archived: false })`; refused when its name was taken meanwhile).
 */
export function ArchivedFields({ fields, onChanged }: { fields: readonly CustomFieldDefinition[]; onChanged: () => void }) {
  if (fields.length === 0) return null;
  return (
    <section className="archived-fields" aria-labelledby="archived-fields-title">
      <h2 id="archived-fields-title">Archived fields ({fields.length})</h2>
      <p className="muted">Out of the API and the forms; their values are kept. Restore one to bring it back with its values.</p>
      <div className="table-scroll">
        <table className="list stack" data-testid="archived-field-list">
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">Type</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {fields.map((field) => (
              <ArchivedFieldRow key={field.id} field={field} onChanged={onChanged} />
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function ArchivedFieldRow({ field, onChanged }: { field: CustomFieldDefinition; onChanged: () => void }) {
  const [state, restore] = useCrmMutation(archiveCustomField);
  return (
    <tr data-testid={`archived-field-${field.name}`}>
      <td>
        <strong>{field.label}</strong>
        <code className="block">{field.name}</code>
      </td>
      <td data-label="Type">{TYPE_LABELS[field.type]}</td>
      <td>
        <button
          type="button"
          className="secondary small"
          aria-label={`Restore ${field.label}`}
          disabled={state.running}
          onClick={async () => {
            const result = await restore({ input: { id: field.id, archived: false } });
            if (!result.error) onChanged();
          }}
        >
          Restore
        </button>
        {state.error && (
          <p role="alert" className="error">
            {describeError(state.error)}
          </p>
        )}
      </td>
    </tr>
  );
}
