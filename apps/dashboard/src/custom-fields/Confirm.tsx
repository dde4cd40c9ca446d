// The confirmation every destructive admin action asks for (rename aside), and what a refusal "in use" lists.
import type { CombinedError } from '@crm/client';
import type { ReactNode } from 'react';
import { describeError } from '../data/format.js';

/** What a CONFLICT refusal of a delete lists: `"Segment:Gold buyers, Segment:VIP"` → `["Segment: Gold buyers", …]`. */
export function usedByOf(error: CombinedError | undefined): string[] {
  const first = error?.graphQLErrors[0];
  if (first?.extensions.code !== 'CONFLICT' || typeof first.extensions.usedBy !== 'string') return [];
  return first.extensions.usedBy.split(', ').map((user) => user.replace(':', ': '));
}

/** A question with its consequence, the server's refusal (if any), Cancel and the confirming button. */
export function Confirm(props: {
  question: string;
  message: string;
  error: CombinedError | undefined;
  running: boolean;
  confirmLabel: string;
  danger?: boolean;
  onCancel: () => void;
  onConfirm: () => void;
  children?: ReactNode;
}) {
  return (
    <div className="confirm" role="group" aria-label={props.question}>
      <p>{props.message}</p>
      {props.children}
      {props.error && (
        <p role="alert" className="error">
          {describeError(props.error)}
        </p>
      )}
      <div className="actions start">
        <button type="button" className="secondary small" onClick={props.onCancel}>
          Cancel
        </button>
        <button type="button" className={props.danger ? 'small danger-fill' : 'small'} disabled={props.running} onClick={props.onConfirm}>
          {props.confirmLabel}
        </button>
      </div>
    </div>
  );
}

/** The users a refusal lists (a field's segments and workflows, an object's records and relation fields). */
export function UsedBy({ users }: { users: readonly string[] }) {
  return (
    <div role="alert" className="error" data-testid="used-by">
      <p>It is in use, so it was not deleted. Used by:</p>
      <ul>
        {users.map((user) => (
          <li key={user}>{user}</li>
        ))}
      </ul>
    </div>
  );
}
