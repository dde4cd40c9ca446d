// Hash routes (#/pipeline, #/customers/<id>): the gateway serves one index.html, and links work from any URL.
import { useEffect, useState } from 'react';

export type Route =
  | { page: 'overview' }
  | { page: 'pipeline' }
  | { page: 'customers' }
  | { page: 'customer'; id: string };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/';
  const customer = /^\/customers\/(.+)$/.exec(path);
  if (customer) return { page: 'customer', id: decodeURIComponent(customer[1]!) };
  if (path === '/pipeline') return { page: 'pipeline' };
  if (path === '/customers') return { page: 'customers' };
  return { page: 'overview' };
}

export const hrefOf = (route: Route) =>
  route.page === 'customer' ? `#/customers/${encodeURIComponent(route.id)}` : route.page === 'overview' ? '#/' : `#/${route.page}`;

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const update = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', update);
    return () => removeEventListener('hashchange', update);
  }, []);
  return route;
}
