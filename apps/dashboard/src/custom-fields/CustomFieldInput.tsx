import type { CustomFieldDefinition, CustomObject } from './definitions.js';
import { RelationPicker } from './RelationPicker.js';
import type { FormValue } from './values.js';

export interface CustomFieldInputProps {
  field: CustomFieldDefinition;
  value: FormValue;
  onChange: (value: FormValue, label?: string | null) => void;
  objects: readonly CustomObject[];
  /** A relation's chosen record, named for people. */
  relationLabel?: string | null;
  /** The server's refusal of this value (BAD_USER_INPUT / CONFLICT naming `customFields.<name>`). */
  error?: string | null;
}

/** A colour swatch for a select option (decorative: the option's label says the same). */
export const Swatch = ({ color }: { color: string | null | undefined }) => (color ? <span className="swatch" style={{ background: color }} aria-hidden="true" /> : null);

/** The right input for a custom field's type, labelled with the field's label, with the server's error under it. */
export function CustomFieldInput({ field, value, onChange, objects, relationLabel, error }: CustomFieldInputProps) {
  const errorId = `cf-${field.name}-error`;
  const common = { 'aria-invalid': error ? true : undefined, 'aria-describedby': error ? errorId : undefined, required: field.required };
  const text = typeof value === 'string' ? value : '';
  const set = (next: string) => onChange(next);
  let control;
  switch (field.type) {
    case 'LONG_TEXT':
      control = <textarea {...common} value={text} rows={3} maxLength={field.max ?? 20_000} onChange={(e) => set(e.target.value)} />;
      break;
    case 'NUMBER':
    case 'PERCENT':
    case 'MONEY':
      control = (
        <span className="with-unit">
          <input
            {...common}
            type="number"
            inputMode="decimal"
            step={field.type === 'MONEY' ? '0.01' : 'any'}
            min={field.min ?? undefined}
            max={field.max ?? undefined}
            value={text}
            onChange={(e) => set(e.target.value)}
          />
          {field.type === 'MONEY' && <span className="muted">{field.currency ?? ''}</span>}
          {field.type === 'PERCENT' && <span className="muted">%</span>}
        </span>
      );
      break;
    case 'RATING': {
      const top = field.max ?? 5;
      control = (
        <select {...common} value={text} onChange={(e) => set(e.target.value)}>
          <option value="">—</option>
          {Array.from({ length: top - (field.min ?? 1) + 1 }, (_, i) => String((field.min ?? 1) + i)).map((n) => (
            <option key={n} value={n}>
              {`${n} of ${top}`}
            </option>
          ))}
        </select>
      );
      break;
    }
    case 'DATE':
      control = <input {...common} type="date" value={text} onChange={(e) => set(e.target.value)} />;
      break;
    case 'DATE_TIME':
      control = <input {...common} type="datetime-local" value={text} onChange={(e) => set(e.target.value)} />;
      break;
    case 'BOOLEAN':
      control = (
        <select {...common} value={text} onChange={(e) => set(e.target.value)}>
          <option value="">—</option>
          <option value="true">Yes</option>
          <option value="false">No</option>
        </select>
      );
      break;
    case 'SELECT':
      control = (
        <select {...common} value={text} onChange={(e) => set(e.target.value)}>
          <option value="">—</option>
          {field.options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      );
      break;
    case 'MULTI_SELECT': {
      const chosen = Array.isArray(value) ? value : [];
      // A group of checkboxes: the fieldset's legend is the field's label.
      return (
        <fieldset className="multi" aria-describedby={error ? errorId : undefined}>
          <legend>{field.label}</legend>
          {field.options.map((o) => (
            <label key={o.value} className="inline">
              <input
                type="checkbox"
                checked={chosen.includes(o.value)}
                onChange={(e) => onChange(field.options.map((x) => x.value).filter((v) => (v === o.value ? e.target.checked : chosen.includes(v))))}
              />
              <Swatch color={o.color} />
              {o.label}
            </label>
          ))}
          {error && <FieldError id={errorId} message={error} />}
        </fieldset>
      );
    }
    case 'RELATION':
      return (
        <div className="field">
          <span className="field-label">{field.label}</span>
          <RelationPicker field={field} objects={objects} value={text} valueLabel={relationLabel ?? null} onChange={(id, label) => onChange(id, label)} invalid={!!error} />
          {error && <FieldError id={errorId} message={error} />}
        </div>
      );
    default: {
      const type = field.type === 'EMAIL' ? 'email' : field.type === 'URL' ? 'url' : field.type === 'PHONE' ? 'tel' : 'text';
      control = <input {...common} type={type} value={text} maxLength={field.max ?? undefined} onChange={(e) => set(e.target.value)} />;
    }
  }
  return (
    <label>
      {field.label}
      {control}
      {error && <FieldError id={errorId} message={error} />}
    </label>
  );
}

const FieldError = ({ id, message }: { id: string; message: string }) => (
  <span id={id} className="error field-error">
    {message}
  </span>
);
