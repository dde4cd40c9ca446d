import { describeError } from '../data/format.js';
import { useCrmMutation } from '../data/hooks.js';
import { archiveCustomObject } from './object-mutations.js';

interface ArchivedObject {
  id: string;
  name: string;
  label: string;
}

/**
 * ADMIN's archived custom objects: out of the schema with their fields, their records kept; Restore brings one back
 * (`archiveCustomObject(input: { id, archived: false })`; refused when its names were taken meanwhile).
 */
export function ArchivedObjects({ objects, onRestored }: { objects: readonly ArchivedObject[]; onRestored: () => void }) {
  if (objects.length === 0) return null;
  return (
    <section className="archived-fields" aria-labelledby="archived-objects-title">
      <h2 id="archived-objects-title">Archived objects ({objects.length})</h2>
      <p className="muted">Out of the API and the navigation with their fields; their records are kept. Restore one to bring it back.</p>
      <ul className="plain" data-testid="archived-object-list">
        {objects.map((object) => (
          <ArchivedObjectItem key={object.id} object={object} onRestored={onRestored} />
        ))}
      </ul>
    </section>
  );
}

function ArchivedObjectItem({ object, onRestored }: { object: ArchivedObject; onRestored: () => void }) {
  const [state, restore] = useCrmMutation(archiveCustomObject);
  return (
    <li data-testid={`archived-object-${object.name}`}>
      <strong>{object.label}</strong> <code>{object.name}</code>{' '}
      <button
        type="button"
        className="secondary small"
        aria-label={`Restore ${object.label}`}
        disabled={state.running}
        onClick={async () => !(await restore({ input: { id: object.id, archived: false } })).error && onRestored()}
      >
        Restore
      </button>
      {state.error && (
        <p role="alert" className="error">
          {describeError(state.error)}
        </p>
      )}
    </li>
  );
}
