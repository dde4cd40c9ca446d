import { createCrmClient, disposeCrmClient } from '@crm/client';
import { useEffect, useMemo, useState } from 'react';
import { ClientContext } from './data/hooks.js';
import { storeApiKey, storedApiKey } from './data/session.js';
import { Shell } from './Shell.js';
import { SignIn } from './pages/SignIn.js';

/** Signed out: the sign-in form. Signed in: one client for the key, and the app. */
export function App() {
  const [apiKey, setApiKey] = useState(storedApiKey);
  const client = useMemo(() => (apiKey ? createCrmClient({ url: `${location.origin}/graphql`, apiKey }) : null), [apiKey]);
  useEffect(() => () => void (client && disposeCrmClient(client)), [client]);

  const signOut = () => {
    storeApiKey(null);
    setApiKey(null);
  };
  if (!client) {
    return (
      <SignIn
        onSignedIn={(key) => {
          storeApiKey(key);
          setApiKey(key);
        }}
      />
    );
  }
  return (
    <ClientContext.Provider value={client}>
      <Shell onSignOut={signOut} />
    </ClientContext.Provider>
  );
}
