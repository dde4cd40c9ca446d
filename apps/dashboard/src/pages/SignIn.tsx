import { createCrmClient, disposeCrmClient } from '@crm/client';
import { type FormEvent, useState } from 'react';
import { whoAmI } from '../data/documents.js';
import { describeError } from '../data/format.js';

/** Asks for an API key and checks it against the gateway before keeping it (for this tab only). */
export function SignIn({ onSignedIn }: { onSignedIn: (apiKey: string) => void }) {
  const [apiKey, setApiKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [checking, setChecking] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const key = apiKey.trim();
    if (!key) return setError('Paste an API key: `npm start` prints the demo workspace’s key.');
    setChecking(true);
    const probe = createCrmClient({ url: `${location.origin}/graphql`, apiKey: key, cache: 'none', retry: { maxNumberAttempts: 1 } });
    const result = await probe.query(whoAmI, {}).toPromise();
    void disposeCrmClient(probe);
    setChecking(false);
    if (result.data) return onSignedIn(key);
    setError(describeError(result.error) ?? 'Sign-in failed.');
  }

  return (
    <main className="sign-in">
      <form onSubmit={submit} aria-labelledby="sign-in-title" className="card">
        <h1 id="sign-in-title">CRM dashboard</h1>
        <p>Sign in with an API key. It is kept in this tab only and forgotten when the tab closes.</p>
        <label htmlFor="api-key">API key</label>
        <input
          id="api-key"
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={apiKey}
          onChange={(event) => setApiKey(event.target.value)}
          placeholder="crm_…"
          aria-describedby={error ? 'sign-in-error' : undefined}
        />
        {error && (
          <p id="sign-in-error" role="alert" className="error">
            {error}
          </p>
        )}
        <button type="submit" disabled={checking}>
          {checking ? 'Checking…' : 'Sign in'}
        </button>
        <p className="hint">
          No key? <code>npm start</code> prints the demo workspace’s ADMIN key; <code>npm run crm -- apikey create</code> makes others.
        </p>
      </form>
    </main>
  );
}
