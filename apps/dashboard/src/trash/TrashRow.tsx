import { useState } from 'react';
import { Confirm } from '../custom-fields/Confirm.js';
import { describeError, formatDate, formatTime } from '../data/format.js';
import { useCrmMutation } from '../data/hooks.js';
import { useCanEdit, useIsAdmin } from '../data/role.js';
import { destroyRecordDocument, restoreRecordDocument, type TrashEntry } from './documents.js';

/**
 * One trashed record: what it is, when, by whom and why it was deleted; Restore (MEMBER) and Delete forever (ADMIN,
 * confirmed). A record that went with another (a customer's deal) comes back with that one: it offers neither.
 */
export function TrashRow({ entry, type, typeLabel, onChanged }: { entry: TrashEntry; type: string; typeLabel: string; onChanged: () => void }) {
  const canEdit = useCanEdit();
  const isAdmin = useIsAdmin();
  const [confirming, setConfirming] = useState(false);
  const [restoreState, restore] = useCrmMutation<unknown, { input: { id: string } }>(restoreRecordDocument(type));
  const [destroyState, destroy] = useCrmMutation<unknown, { input: { id: string } }>(destroyRecordDocument(type));
  const done = (result: { error?: unknown }) => !result.error && onChanged();

  return (
    <tr data-testid="trash-row" data-id={entry.id}>
      <td>
        <strong>{entry.label}</strong>
        {entry.deleteReason && <span className="muted block">“{entry.deleteReason}”</span>}
      </td>
      <td data-label="Type">{typeLabel}</td>
      <td data-label="Trashed">
        <time dateTime={entry.deletedAt}>{`${formatDate(entry.deletedAt)} ${formatTime(entry.deletedAt)}`}</time>
        {entry.deletedBy && <span className="muted block">by {entry.deletedBy}</span>}
      </td>
      <td>
        {entry.trashedWith ? (
          <span className="muted">Went with another record: restoring that one brings it back.</span>
        ) : !canEdit ? (
          <span className="muted">—</span>
        ) : confirming ? (
          <Confirm
            question={`Delete ${entry.label} forever?`}
            message={`Delete “${entry.label}” forever? It cannot be restored afterwards.`}
            error={destroyState.error}
            running={destroyState.running}
            confirmLabel="Delete forever"
            danger
            onCancel={() => setConfirming(false)}
            onConfirm={async () => done(await destroy({ input: { id: entry.id } }))}
          />
        ) : (
          <div className="actions start">
            <button type="button" className="secondary small" aria-label={`Restore ${entry.label}`} disabled={restoreState.running} onClick={async () => done(await restore({ input: { id: entry.id } }))}>
              Restore
            </button>
            {isAdmin && (
              <button type="button" className="secondary small danger" aria-label={`Delete forever: ${entry.label}`} onClick={() => setConfirming(true)}>
                Delete forever
              </button>
            )}
          </div>
        )}
        {restoreState.error && (
          <p role="alert" className="error">
            {describeError(restoreState.error)}
          </p>
        )}
      </td>
    </tr>
  );
}
