import type { CombinedError } from '@crm/client';
import { describeError, titleCase } from '../data/format.js';
import { LIFECYCLE_STAGES, type LifecycleStage } from '../data/key-figures.js';

/** A lifecycle stage picker; with `anyLabel`, an empty choice first (filters). */
export function StageSelect<Value extends LifecycleStage | ''>({
  value,
  onChange,
  anyLabel,
}: {
  value: Value;
  onChange: (stage: Value) => void;
  anyLabel?: string;
}) {
  return (
    <label>
      Stage
      <select value={value} onChange={(e) => onChange(e.target.value as Value)}>
        {anyLabel && <option value="">{anyLabel}</option>}
        {LIFECYCLE_STAGES.map((s) => (
          <option key={s} value={s}>
            {titleCase(s)}
          </option>
        ))}
      </select>
    </label>
  );
}

/** A form's error (if any), then Cancel and the submit button. */
export function FormFooter({ error, onCancel, submitLabel, disabled }: { error: CombinedError | undefined; onCancel: () => void; submitLabel: string; disabled: boolean }) {
  return (
    <>
      {error && (
        <p role="alert" className="error">
          {describeError(error)}
        </p>
      )}
      <div className="actions">
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" disabled={disabled}>
          {submitLabel}
        </button>
      </div>
    </>
  );
}

/** A labelled text input. */
export function TextField({ label, value, onChange, type = 'text', required = false }: { label: string; value: string; onChange: (value: string) => void; type?: 'text' | 'email'; required?: boolean }) {
  return (
    <label>
      {label}
      <input type={type} value={value} onChange={(e) => onChange(e.target.value)} required={required} />
    </label>
  );
}
