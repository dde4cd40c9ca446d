import { lazy, type ReactNode, Suspense } from 'react';
import { whoAmI } from './data/documents.js';
import { useCrmQuery } from './data/hooks.js';
import { RoleContext } from './data/role.js';
import { CustomerPage } from './pages/CustomerPage.js';
import { CustomersPage } from './pages/CustomersPage.js';
import { useCustomObjects } from './custom-fields/definitions.js';
import { pluralLabel } from './records/custom-object.js';
import { OverviewPage } from './pages/OverviewPage.js';
import { PipelinePage } from './pages/PipelinePage.js';
import { ErrorMessage, Loading } from './components/States.js';
import { hrefOf, type Route, useRoute } from './router.js';

// ADMIN's pages are loaded when first opened: other keys never download them.
const WorkflowsPage = lazy(() => import('./pages/WorkflowsPage.js').then((module) => ({ default: module.WorkflowsPage })));
const WorkflowPage = lazy(() => import('./pages/WorkflowPage.js').then((module) => ({ default: module.WorkflowPage })));
// Companies and custom objects' pages too: the overview, pipeline and customers load without them.
const CompaniesPage = lazy(() => import('./pages/CompaniesPage.js').then((module) => ({ default: module.CompaniesPage })));
const CompanyPage = lazy(() => import('./pages/CompanyPage.js').then((module) => ({ default: module.CompanyPage })));
const RecordsPage = lazy(() => import('./pages/RecordsPage.js').then((module) => ({ default: module.RecordsPage })));
const RecordPage = lazy(() => import('./pages/RecordPage.js').then((module) => ({ default: module.RecordPage })));
const TrashPage = lazy(() => import('./pages/TrashPage.js').then((module) => ({ default: module.TrashPage })));
const CustomFieldsPage = lazy(() => import('./pages/CustomFieldsPage.js').then((module) => ({ default: module.CustomFieldsPage })));

// Workflows and custom field definitions are ADMIN's (the API refuses other keys): others do not see the links.
const NAV: { route: Route; label: string; adminOnly?: boolean; last?: boolean }[] = [
  { route: { page: 'overview' }, label: 'Overview' },
  { route: { page: 'pipeline' }, label: 'Pipeline' },
  { route: { page: 'customers' }, label: 'Customers' },
  { route: { page: 'companies' }, label: 'Companies' },
  { route: { page: 'trash' }, label: 'Trash', last: true },
  { route: { page: 'workflows' }, label: 'Workflows', adminOnly: true },
  { route: { page: 'fields' }, label: 'Fields', adminOnly: true },
];

/** The nav entry a page belongs to (a customer's page is under Customers, a record under its object's list). */
function sectionOf(route: Route): string {
  if (route.page === 'customer') return 'customers';
  if (route.page === 'company') return 'companies';
  if (route.page === 'workflow') return 'workflows';
  if (route.page === 'records' || route.page === 'record') return `records:${route.object}`;
  return route.page;
}

/** The signed-in frame: workspace and role, navigation, the current page. */
export function Shell({ onSignOut }: { onSignOut: () => void }) {
  const route = useRoute();
  const me = useCrmQuery(whoAmI, {});
  let page: ReactNode;
  if (route.page === 'pipeline') page = <PipelinePage />;
  else if (route.page === 'customers') page = <CustomersPage />;
  else if (route.page === 'customer') page = <CustomerPage id={route.id} />;
  else if (route.page === 'companies') page = <CompaniesPage />;
  else if (route.page === 'company') page = <CompanyPage id={route.id} />;
  else if (route.page === 'records') page = <RecordsPage objectName={route.object} />;
  else if (route.page === 'record') page = <RecordPage objectName={route.object} id={route.id} />;
  else if (route.page === 'workflows') page = <WorkflowsPage />;
  else if (route.page === 'workflow') page = <WorkflowPage id={route.id} />;
  else if (route.page === 'fields') page = <CustomFieldsPage />;
  else if (route.page === 'trash') page = <TrashPage />;
  else page = <OverviewPage />;
  const current = sectionOf(route);
  const isAdmin = me.data?.viewer.role === 'ADMIN';
  // The workspace's custom objects each have a list (after the built-in ones, before the trash and ADMIN's pages).
  const objects = useCustomObjects(true);
  const nav = NAV.filter((item) => isAdmin || !item.adminOnly);
  const builtIn = nav.filter((item) => !item.adminOnly && !item.last);
  const custom = objects.map((o) => ({ route: { page: 'records', object: o.name } as Route, label: pluralLabel(o) }));

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
          {[...builtIn, ...custom, ...nav.filter((item) => item.last || item.adminOnly)].map(({ route: target, label }) => (
            <a key={hrefOf(target)} href={hrefOf(target)} aria-current={current === sectionOf(target) ? 'page' : undefined}>
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
