import { graphql } from '@crm/client';
import { type FormEvent, useState } from 'react';
import { describeError } from '../data/format.js';
import { useCrmMutation } from '../data/hooks.js';

const logActivity = graphql(`
  mutation LogActivity($input: LogActivityInput!) { logActivity(input: $input) { activity { id } } }
`);

const KINDS = [
  { label: 'Call', type: 'CALL', channel: 'PHONE' },
  { label: 'Email', type: 'EMAIL', channel: 'EMAIL' },
  { label: 'Meeting', type: 'MEETING', channel: 'IN_PERSON' },
  { label: 'Chat', type: 'CHAT', channel: 'CHAT' },
  { label: 'Note', type: 'NOTE', channel: 'WEB' },
] as const;

/** Adds an interaction to the customer's timeline. */
export function LogActivityForm({ customerId }: { customerId: string }) {
  const [kind, setKind] = useState(0);
  const [subject, setSubject] = useState('');
  const [state, log] = useCrmMutation(logActivity);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const { type, channel } = KINDS[kind]!;
    const result = await log({ input: { customerId, type, channel, subject: subject.trim() } });
    if (!result.error) setSubject('');
  }
  return (
    <form className="inline-form compact" onSubmit={submit} aria-label="Log an interaction">
      <label>
        Kind
        <select value={kind} onChange={(e) => setKind(Number(e.target.value))}>
          {KINDS.map((k, i) => (
            <option key={k.label} value={i}>
              {k.label}
            </option>
          ))}
        </select>
      </label>
      <label>
        Subject
        <input value={subject} onChange={(e) => setSubject(e.target.value)} required maxLength={300} />
      </label>
      <button type="submit" disabled={state.running || !subject.trim()}>
        Log
      </button>
      {state.error && (
        <p role="alert" className="error">
          {describeError(state.error)}
        </p>
      )}
    </form>
  );
}
