import { hrefOf } from '../router.js';
import type { CustomFieldDefinition, CustomObject } from './definitions.js';
import { recordRoute } from './record-kinds.js';
import { Swatch } from './CustomFieldInput.js';
import { displayText, type RelatedRecord } from './values.js';

/** A custom value for reading: options with their colour, links for emails, phones, URLs and the related record's page. */
export function CustomValue({ field, value, objects }: { field: CustomFieldDefinition; value: unknown; objects: readonly CustomObject[] }) {
  const text = displayText(field, value, objects);
  if (value === null || value === undefined || text === '—') return <>—</>;
  switch (field.type) {
    case 'SELECT':
    case 'MULTI_SELECT': {
      const values = Array.isArray(value) ? value : [value];
      return (
        <span className="chips">
          {values.map((v) => {
            const option = field.options.find((o) => o.value === v);
            return (
              <span key={String(v)} className="chip">
                <Swatch color={option?.color} />
                {option?.label ?? String(v)}
              </span>
            );
          })}
        </span>
      );
    }
    case 'EMAIL':
      return <a href={`mailto:${String(value)}`}>{text}</a>;
    case 'PHONE':
      return <a href={`tel:${String(value)}`}>{text}</a>;
    case 'URL':
      return (
        <a href={String(value)} rel="noopener noreferrer" target="_blank">
          {text}
        </a>
      );
    case 'RELATION':
      return field.target ? <a href={hrefOf(recordRoute(field.target, (value as RelatedRecord).id))}>{text}</a> : <>{text}</>;
    default:
      return <>{text}</>;
  }
}
