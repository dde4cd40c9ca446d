import { type FormEvent, useState } from 'react';
import { FormFooter, TextField } from '../components/FormParts.js';
import { useCrmMutation } from '../data/hooks.js';
import { CustomFieldInput, Swatch } from './CustomFieldInput.js';
import { defineCustomField } from './definition-mutations.js';
import { type CustomFieldDefinition, type CustomFieldType, type CustomObject, type FieldOwner, RANGE_TYPES, TYPE_LABELS, UNIQUE_TYPES } from './definitions.js';
import { type FormValue, inputValueOf } from './values.js';

interface OptionRow {
  value: string;
  label: string;
  color: string;
}

const PALETTE = ['#2563eb', '#16a34a', '#eab308', '#dc2626', '#9333ea', '#0891b2'];
const numberOrNull = (text: string) => (text.trim() === '' ? null : Number(text));

/** The default to send: none for a relation (no record is every new record's), and none for no option chosen. */
function defaultOf(field: CustomFieldDefinition, value: FormValue): unknown {
  if (field.type === 'RELATION') return null;
  const input = inputValueOf(field, value);
  return Array.isArray(input) && input.length === 0 ? null : input;
}

/** The define form (ADMIN): name, label, type and the options that type takes; the default uses the type's own input. */
export function DefineFieldForm({ owner, objects, onDone }: { owner: FieldOwner; objects: readonly CustomObject[]; onDone: (defined: boolean) => void }) {
  const [name, setName] = useState('');
  const [label, setLabel] = useState('');
  const [type, setType] = useState<CustomFieldType>('TEXT');
  const [description, setDescription] = useState('');
  const [options, setOptions] = useState<OptionRow[]>([]);
  const [required, setRequired] = useState(false);
  const [unique, setUnique] = useState(false);
  const [indexed, setIndexed] = useState(false);
  const [min, setMin] = useState('');
  const [max, setMax] = useState('');
  const [currency, setCurrency] = useState('USD');
  const [target, setTarget] = useState('Customer');
  const [defaultValue, setDefaultValue] = useState<FormValue>('');
  const [state, define] = useCrmMutation(defineCustomField);
  const hasOptions = type === 'SELECT' || type === 'MULTI_SELECT';

  // The field as it would be defined: the default value's input is the one its values will have.
  const draft: CustomFieldDefinition = {
    id: 'new',
    object: owner.object ?? null,
    name: name || 'new',
    label: 'Default value',
    type,
    required: false,
    unique: false,
    indexed: false,
    defaultValue: null,
    description: null,
    min: numberOrNull(min),
    max: numberOrNull(max),
    currency,
    target,
    position: 0,
    archived: false,
    options: options.filter((o) => o.value.trim()).map((o) => ({ value: o.value.trim(), label: o.label.trim() || o.value.trim(), color: o.color })),
  };

  function changeType(next: CustomFieldType) {
    setType(next);
    setDefaultValue(next === 'MULTI_SELECT' ? [] : '');
    if (!UNIQUE_TYPES.includes(next)) setUnique(false);
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const result = await define({
      input: {
        ...owner,
        name: name.trim(),
        label: label.trim() || null,
        type,
        description: description.trim() || null,
        required,
        unique,
        indexed,
        ...(hasOptions ? { options: draft.options } : {}),
        ...(RANGE_TYPES.includes(type) ? { min: draft.min, max: draft.max } : {}),
        ...(type === 'MONEY' ? { currency: currency.trim().toUpperCase() } : {}),
        ...(type === 'RELATION' ? { target } : {}),
        defaultValue: defaultOf(draft, defaultValue),
      },
    });
    if (!result.error) onDone(true);
  }

  return (
    <form className="inline-form define-field" onSubmit={submit} aria-label="Define a field">
      <h2>New field</h2>
      <TextField label="Name (API)" value={name} onChange={setName} required />
      <TextField label="Label" value={label} onChange={setLabel} />
      <label>
        Type
        <select value={type} onChange={(e) => changeType(e.target.value as CustomFieldType)}>
          {(Object.keys(TYPE_LABELS) as CustomFieldType[]).map((t) => (
            <option key={t} value={t}>
              {TYPE_LABELS[t]}
            </option>
          ))}
        </select>
      </label>
      <TextField label="Description" value={description} onChange={setDescription} />
      {type === 'MONEY' && <TextField label="Currency (ISO 4217)" value={currency} onChange={setCurrency} />}
      {type === 'RELATION' && (
        <label>
          Points to
          <select value={target} onChange={(e) => setTarget(e.target.value)}>
            {['Customer', 'Company', ...objects.map((o) => o.name)].map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
      )}
      {RANGE_TYPES.includes(type) && (
        <>
          <label>
            {type === 'TEXT' || type === 'LONG_TEXT' ? 'Shortest length' : type === 'RATING' ? 'Lowest rating' : 'Minimum'}
            <input type="number" value={min} onChange={(e) => setMin(e.target.value)} />
          </label>
          <label>
            {type === 'TEXT' || type === 'LONG_TEXT' ? 'Longest length' : type === 'RATING' ? 'Top of the scale' : 'Maximum'}
            <input type="number" value={max} onChange={(e) => setMax(e.target.value)} />
          </label>
        </>
      )}
      {hasOptions && <OptionsEditor options={options} onChange={setOptions} />}
      <div className="checks">
        <label className="inline">
          <input type="checkbox" checked={required} onChange={(e) => setRequired(e.target.checked)} /> Required
        </label>
        {UNIQUE_TYPES.includes(type) && (
          <label className="inline">
            <input type="checkbox" checked={unique} onChange={(e) => setUnique(e.target.checked)} /> Unique
          </label>
        )}
        <label className="inline">
          <input type="checkbox" checked={indexed} onChange={(e) => setIndexed(e.target.checked)} /> Indexed (fast filters and sorts)
        </label>
      </div>
      {type !== 'RELATION' && <CustomFieldInput field={draft} value={defaultValue} onChange={setDefaultValue} objects={objects} />}
      <FormFooter error={state.error} onCancel={() => onDone(false)} submitLabel="Define field" disabled={state.running} />
    </form>
  );
}

/** A select's options, in order: value, label and colour each; add and remove. */
function OptionsEditor({ options, onChange }: { options: OptionRow[]; onChange: (options: OptionRow[]) => void }) {
  const change = (i: number, patch: Partial<OptionRow>) => onChange(options.map((o, j) => (i === j ? { ...o, ...patch } : o)));
  return (
    <fieldset className="options-editor">
      <legend>Options</legend>
      {options.map((option, i) => (
        <div className="option-row" key={i}>
          <label>
            {`Option ${i + 1} value`}
            <input value={option.value} onChange={(e) => change(i, { value: e.target.value })} required />
          </label>
          <label>
            {`Option ${i + 1} label`}
            <input value={option.label} onChange={(e) => change(i, { label: e.target.value })} />
          </label>
          <label>
            {`Option ${i + 1} colour`}
            <input type="color" value={option.color} onChange={(e) => change(i, { color: e.target.value })} />
          </label>
          <Swatch color={option.color} />
          <button type="button" className="secondary small" onClick={() => onChange(options.filter((_, j) => j !== i))}>
            {`Remove option ${i + 1}`}
          </button>
        </div>
      ))}
      <button type="button" className="secondary small" onClick={() => onChange([...options, { value: '', label: '', color: PALETTE[options.length % PALETTE.length]! }])}>
        Add option
      </button>
    </fieldset>
  );
}
