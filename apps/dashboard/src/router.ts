// Hash routes (#/pipeline, #/customers/<id>): the gateway serves one index.html, and links work from any URL.
import { useEffect, useState } from 'react';

export type Route =
  | { page: 'overview' }
  | { page: 'pipeline' }
  | { page: 'customers' }
  | { page: 'customer'; id: string }
  | { page: 'workflows' }
  | { page: 'workflow'; id: string }
  | { page: 'fields' };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/';
  const customer = /^\/customers\/(.+)$/.exec(path);
  if (customer) return { page: 'customer', id: decodeURIComponent(customer[1]!) };
  const workflow = /^\/workflows\/(.+)$/.exec(path);
  if (workflow) return { page: 'workflow', id: decodeURIComponent(workflow[1]!) };
  if (path === '/pipeline') return { page: 'pipeline' };
  if (path === '/customers') return { page: 'customers' };
  if (path === '/workflows') return { page: 'workflows' };
  if (path === '/settings/fields') return { page: 'fields' };
  return { page: 'overview' };
}

export function hrefOf(route: Route): string {
  if (route.page === 'customer') return `#/customers/${encodeURIComponent(route.id)}`;
  if (route.page === 'workflow') return `#/workflows/${encodeURIComponent(route.id)}`;
  if (route.page === 'fields') return '#/settings/fields';
  return route.page === 'overview' ? '#/' : `#/${route.page}`;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const update = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', update);
    return () => removeEventListener('hashchange', update);
  }, []);
  return route;
}
