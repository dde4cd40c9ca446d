import { CustomFieldInput } from './CustomFieldInput.js';
import type { CustomFieldDefinition, CustomObject } from './definitions.js';
import { filterWording } from './list-options.js';
import type { FormValue } from './values.js';

/** The custom fields shown as columns of the list: a checkbox each, in a disclosure. */
export function CustomColumnsPicker({ fields, chosen, onChange }: { fields: readonly CustomFieldDefinition[]; chosen: readonly string[]; onChange: (ids: string[]) => void }) {
  if (fields.length === 0) return null;
  return (
    <details className="columns-picker">
      <summary>Columns ({chosen.filter((id) => fields.some((f) => f.id === id)).length} more)</summary>
      <fieldset>
        <legend>Show custom fields as columns</legend>
        {fields.map((field) => (
          <label key={field.id} className="inline">
            <input
              type="checkbox"
              checked={chosen.includes(field.id)}
              onChange={(e) => onChange(e.target.checked ? [...chosen, field.id] : chosen.filter((id) => id !== field.id))}
            />
            {field.label}
          </label>
        ))}
      </fieldset>
    </details>
  );
}

export type CustomFilterRows = Record<string, FormValue>;

/** Filters on custom fields: pick a field to add its condition (all of them hold with the others), remove it again. */
export function CustomFilters(props: {
  fields: readonly CustomFieldDefinition[];
  objects: readonly CustomObject[];
  rows: CustomFilterRows;
  labels: Record<string, string | null>;
  onChange: (rows: CustomFilterRows, labels?: Record<string, string | null>) => void;
}) {
  const { fields, objects, rows, labels, onChange } = props;
  if (fields.length === 0) return null;
  const unused = fields.filter((f) => !(f.id in rows));
  return (
    <>
      {fields
        .filter((f) => f.id in rows)
        .map((field) => (
          <div className="custom-filter" key={field.id} data-testid={`custom-filter-${field.name}`}>
            <CustomFieldInput
              field={{ ...field, label: filterWording(field), required: false }}
              objects={objects}
              value={rows[field.id]!}
              relationLabel={labels[field.id]}
              onChange={(value, label) => onChange({ ...rows, [field.id]: value }, label === undefined ? undefined : { ...labels, [field.id]: label })}
            />
            <button
              type="button"
              className="secondary small"
              aria-label={`Remove the ${field.label} filter`}
              onClick={() => onChange(Object.fromEntries(Object.entries(rows).filter(([id]) => id !== field.id)))}
            >
              ×
            </button>
          </div>
        ))}
      {unused.length > 0 && (
        <label>
          Filter by field
          <select value="" onChange={(e) => e.target.value && onChange({ ...rows, [e.target.value]: fields.find((f) => f.id === e.target.value)?.type === 'MULTI_SELECT' ? [] : '' })}>
            <option value="">Add a filter…</option>
            {unused.map((f) => (
              <option key={f.id} value={f.id}>
                {f.label}
              </option>
            ))}
          </select>
        </label>
      )}
    </>
  );
}
