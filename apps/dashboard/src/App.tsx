import { createCrmClient, disposeCrmClient } from '@crm/client';
import { useMemo, useState } from 'react';
import { EventHub } from './data/event-hub.js';
import { ClientContext, EventHubContext, WorkspaceClientContext } from './data/hooks.js';
import { storeApiKey, storedApiKey } from './data/session.js';
import { Shell } from './Shell.js';
import { SignIn } from './pages/SignIn.js';

/** Signed out: the sign-in form. Signed in: one client for the key, and the app. */
export function App() {
  const [apiKey, setApiKey] = useState(storedApiKey);
  const client = useMemo(() => (apiKey ? createCrmClient({ url: `${location.origin}/graphql`, apiKey }) : null), [apiKey]);
  // Documents of the workspace's own schema (custom fields and objects) run on a client without the cache.
  const workspaceClient = useMemo(() => (apiKey ? createCrmClient({ url: `${location.origin}/graphql`, apiKey, cache: 'none' }) : null), [apiKey]);
  const hub = useMemo(() => (client ? new EventHub(client) : null), [client]);

  // Disposed on sign-out, not in an effect cleanup: StrictMode runs cleanups on mount in development.
  const signOut = () => {
    hub?.close();
    if (client) void disposeCrmClient(client);
    if (workspaceClient) void disposeCrmClient(workspaceClient);
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
      <WorkspaceClientContext.Provider value={workspaceClient}>
        <EventHubContext.Provider value={hub}>
          <Shell onSignOut={signOut} />
        </EventHubContext.Provider>
      </WorkspaceClientContext.Provider>
    </ClientContext.Provider>
  );
}
