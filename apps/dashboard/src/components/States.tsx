import type { CombinedError } from '@crm/client';
import type { ReactNode } from 'react';
import { describeError } from '../data/format.js';

export function Loading({ what }: { what: string }) {
  return (
    <p className="state loading" role="status">
      Loading {what}…
    </p>
  );
}

export function ErrorMessage({ error, retry }: { error: CombinedError; retry?: () => void }) {
  return (
    <div className="state error" role="alert">
      <p>{describeError(error)}</p>
      {retry && (
        <button type="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** Nothing to show yet, and what to do about it. */
export function Empty({ children }: { children: ReactNode }) {
  return <div className="state empty">{children}</div>;
}

/** A table row across `width` columns saying why its rows (or their extra columns) could not be read, with “Try again”. */
export function ErrorRow({ error, retry, width }: { error: CombinedError; retry: () => void; width: number }) {
  return (
    <tr>
      <td colSpan={width}>
        <ErrorMessage error={error} retry={retry} />
      </td>
    </tr>
  );
}
