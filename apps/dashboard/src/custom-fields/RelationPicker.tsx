import { listFieldOf, relationChoicesDocument } from '@crm/gateway/workspace-documents';
import { useState } from 'react';
import { useCrmQuery, useSettled } from '../data/hooks.js';
import { type CustomFieldDefinition, type CustomObject, labelFieldOf } from './definitions.js';

interface Choice {
  id: string;
  [field: string]: unknown;
}
type ChoicesData = Record<string, { edges: { node: Choice }[] }>;

/**
 * Picks a record of the relation's target by searching its list (the API's full-text search), as a labelled search
 * box and a list of buttons; the chosen record is shown with a way to clear it.
 */
export function RelationPicker(props: {
  field: CustomFieldDefinition;
  objects: readonly CustomObject[];
  value: string;
  /** The chosen record's name, when known. */
  valueLabel: string | null;
  onChange: (id: string, label: string | null) => void;
  invalid?: boolean;
}) {
  const { field, objects, value, valueLabel, onChange } = props;
  const [search, setSearch] = useState('');
  const settled = useSettled(search.trim(), 250);
  const list = listFieldOf(field.target, objects);
  const label = labelFieldOf(field.target, objects);
  const document = relationChoicesDocument(field.target, objects) ?? '';
  const choices = useCrmQuery<ChoicesData, { search: string }>(document, { search: settled }, { pause: !list || !settled });
  const found = list ? (choices.data?.[list]?.edges.map((e) => e.node) ?? []) : [];
  const nameOf = (choice: Choice) => String((label && choice[label]) ?? choice.id);

  return (
    <div className="relation-picker">
      <span className="chosen">
        {value ? valueLabel ?? value : 'None'}
        {value && (
          <button type="button" className="secondary small" onClick={() => onChange('', null)} aria-label={`Clear ${field.label}`}>
            Clear
          </button>
        )}
      </span>
      <input
        type="search"
        value={search}
        aria-label={`${field.label}: search ${field.target ?? ''}`}
        aria-invalid={props.invalid || undefined}
        placeholder={`Search ${field.target ?? ''}`}
        onChange={(e) => setSearch(e.target.value)}
      />
      {settled && found.length > 0 && (
        <ul className="choices" aria-label={`${field.target ?? ''} found`}>
          {found.map((choice) => (
            <li key={choice.id}>
              <button
                type="button"
                className="secondary small"
                onClick={() => {
                  onChange(choice.id, nameOf(choice));
                  setSearch('');
                }}
              >
                {nameOf(choice)}
              </button>
            </li>
          ))}
        </ul>
      )}
      {settled && choices.data && found.length === 0 && <p className="muted">Nothing found.</p>}
    </div>
  );
}
