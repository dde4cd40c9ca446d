// Hash routes (#/pipeline, #/customers/<id>): the gateway serves one index.html, and links work from any URL.
import { useEffect, useState } from 'react';

export type Route =
  | { page: 'overview' }
  | { page: 'pipeline' }
  | { page: 'customers' }
  | { page: 'customer'; id: string }
  | { page: 'companies' }
  | { page: 'company'; id: string }
  /** A custom object's list (`object` is its type name, `Contract`) and one of its records. */
  | { page: 'records'; object: string }
  | { page: 'record'; object: string; id: string }
  | { page: 'workflows' }
  | { page: 'workflow'; id: string }
  | { page: 'fields' }
  | { page: 'trash' };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/';
  const part = (text: string) => decodeURIComponent(text);
  const customer = /^\/customers\/(.+)$/.exec(path);
  if (customer) return { page: 'customer', id: part(customer[1]!) };
  const company = /^\/companies\/(.+)$/.exec(path);
  if (company) return { page: 'company', id: part(company[1]!) };
  const record = /^\/objects\/([^/]+)\/(.+)$/.exec(path);
  if (record) return { page: 'record', object: part(record[1]!), id: part(record[2]!) };
  const records = /^\/objects\/([^/]+)$/.exec(path);
  if (records) return { page: 'records', object: part(records[1]!) };
  const workflow = /^\/workflows\/(.+)$/.exec(path);
  if (workflow) return { page: 'workflow', id: part(workflow[1]!) };
  if (path === '/pipeline') return { page: 'pipeline' };
  if (path === '/customers') return { page: 'customers' };
  if (path === '/companies') return { page: 'companies' };
  if (path === '/workflows') return { page: 'workflows' };
  if (path === '/settings/fields') return { page: 'fields' };
  if (path === '/trash') return { page: 'trash' };
  return { page: 'overview' };
}

export function hrefOf(route: Route): string {
  const part = encodeURIComponent;
  switch (route.page) {
    case 'customer':
      return `#/customers/${part(route.id)}`;
    case 'company':
      return `#/companies/${part(route.id)}`;
    case 'records':
      return `#/objects/${part(route.object)}`;
    case 'record':
      return `#/objects/${part(route.object)}/${part(route.id)}`;
    case 'workflow':
      return `#/workflows/${part(route.id)}`;
    case 'fields':
      return '#/settings/fields';
    case 'overview':
      return '#/';
    default:
      return `#/${route.page}`;
  }
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
