import { type FormEvent, useEffect, useRef, useState } from 'react';

/** Asks why a deal was lost (the API requires a reason for a lost stage). Escape cancels. */
export function LostReasonDialog({ stageName, onConfirm, onCancel }: { stageName: string; onConfirm: (reason: string) => void; onCancel: () => void }) {
  const [reason, setReason] = useState('');
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (reason.trim()) onConfirm(reason.trim());
  };
  return (
    <div className="backdrop" onKeyDown={(event) => event.key === 'Escape' && onCancel()}>
      <form role="dialog" aria-modal="true" aria-labelledby="lost-title" className="card dialog" onSubmit={submit}>
        <h2 id="lost-title">Why was this deal lost?</h2>
        <p>Moving it to “{stageName}” needs a reason, for the win/loss analysis.</p>
        <label htmlFor="lost-reason">Lost reason</label>
        <input id="lost-reason" ref={input} value={reason} onChange={(event) => setReason(event.target.value)} required maxLength={500} />
        <div className="actions">
          <button type="button" className="secondary" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" disabled={!reason.trim()}>
            Mark as lost
          </button>
        </div>
      </form>
    </div>
  );
}
