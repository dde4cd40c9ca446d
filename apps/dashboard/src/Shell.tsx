import { lazy, type ReactNode, Suspense } from 'react';
import { whoAmI } from './data/documents.js';
import { useCrmQuery } from './data/hooks.js';
import { RoleContext } from './data/role.js';
import { CustomerPage } from './pages/CustomerPage.js';
import { CustomersPage } from './pages/CustomersPage.js';
import { OverviewPage } from './pages/OverviewPage.js';
import { PipelinePage } from './pages/PipelinePage.js';
import { ErrorMessage, Loading } from './components/States.js';
import { hrefOf, type Route, useRoute } from './router.js';

// ADMIN's pages are loaded when first opened: other keys never download them.
const WorkflowsPage = lazy(() => import('./pages/WorkflowsPage.js').then((module) => ({ default: module.WorkflowsPage })));
const WorkflowPage = lazy(() => import('./pages/WorkflowPage.js').then((module) => ({ default: module.WorkflowPage })));
const CustomFieldsPage = lazy(() => import('./pages/CustomFieldsPage.js').then((module) => ({ default: module.CustomFieldsPage })));

// Workflows and custom field definitions are ADMIN's (the API refuses other keys): others do not see the links.
const NAV: { route: Route; label: string; adminOnly?: boolean }[] = [
  { route: { page: 'overview' }, label: 'Overview' },
  { route: { page: 'pipeline' }, label: 'Pipeline' },
  { route: { page: 'customers' }, label: 'Customers' },
  { route: { page: 'workflows' }, label: 'Workflows', adminOnly: true },
  { route: { page: 'fields' }, label: 'Fields', adminOnly: true },
];

/** The nav entry a page belongs to (a customer's page is under Customers). */
const sectionOf = (route: Route): Route['page'] => (route.page === 'customer' ? 'customers' : route.page === 'workflow' ? 'workflows' : route.page);

/** The signed-in frame: workspace and role, navigation, the current page. */
export function Shell({ onSignOut }: { onSignOut: () => void }) {
  const route = useRoute();
  const me = useCrmQuery(whoAmI, {});
  let page: ReactNode;
  if (route.page === 'pipeline') page = <PipelinePage />;
  else if (route.page === 'customers') page = <CustomersPage />;
  else if (route.page === 'customer') page = <CustomerPage id={route.id} />;
  else if (route.page === 'workflows') page = <WorkflowsPage />;
  else if (route.page === 'workflow') page = <WorkflowPage id={route.id} />;
  else if (route.page === 'fields') page = <CustomFieldsPage />;
  else page = <OverviewPage />;
  const current = sectionOf(route);
  const isAdmin = me.data?.viewer.role === 'ADMIN';

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
          {NAV.filter((item) => isAdmin || !item.adminOnly).map(({ route: target, label }) => (
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
        {me.error ? <ErrorMessage error={me.error} retry={me.refetch} /> : <Suspense fallback={<Loading what="the page" />}>{page}</Suspense>}
      </main>
    </RoleContext.Provider>
  );
}
