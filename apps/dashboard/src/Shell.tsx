import type { ReactNode } from 'react';
import { whoAmI } from './data/documents.js';
import { useCrmQuery } from './data/hooks.js';
import { RoleContext } from './data/role.js';
import { ErrorMessage } from './components/States.js';
import { CustomerPage } from './pages/CustomerPage.js';
import { CustomersPage } from './pages/CustomersPage.js';
import { OverviewPage } from './pages/OverviewPage.js';
import { PipelinePage } from './pages/PipelinePage.js';
import { hrefOf, type Route, useRoute } from './router.js';

const NAV: { route: Route; label: string }[] = [
  { route: { page: 'overview' }, label: 'Overview' },
  { route: { page: 'pipeline' }, label: 'Pipeline' },
  { route: { page: 'customers' }, label: 'Customers' },
];

/** The signed-in frame: workspace and role, navigation, the current page. */
export function Shell({ onSignOut }: { onSignOut: () => void }) {
  const route = useRoute();
  const me = useCrmQuery(whoAmI, {});
  let page: ReactNode;
  if (route.page === 'pipeline') page = <PipelinePage />;
  else if (route.page === 'customers') page = <CustomersPage />;
  else if (route.page === 'customer') page = <CustomerPage id={route.id} />;
  else page = <OverviewPage />;
  const current = route.page === 'customer' ? 'customers' : route.page;

  return (
    <RoleContext.Provider value={me.data?.viewer.role ?? 'READ_ONLY'}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="top">
        <div className="brand">
          <span className="workspace" data-testid="workspace-name">
            {me.data?.workspace.name ?? '…'}
          </span>
          {me.data && (
            <span className="role" data-testid="role">
              {me.data.viewer.role.replace('_', ' ')}
            </span>
          )}
        </div>
        <nav aria-label="Main">
          {NAV.map(({ route: target, label }) => (
            <a key={label} href={hrefOf(target)} aria-current={current === target.page ? 'page' : undefined}>
              {label}
            </a>
          ))}
        </nav>
        <button type="button" className="secondary" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {/* The page loads alongside the role (edit controls appear once it is known): one round trip less. */}
        {me.error ? <ErrorMessage error={me.error} retry={me.refetch} /> : page}
      </main>
    </RoleContext.Provider>
  );
}
