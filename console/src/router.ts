// Pages are addressed by the URL hash (#/customer/12, #/find?q=…), so that reloading, the back
// button and links work while the gateway serves one page.
import { useEffect, useState } from 'react';

export interface Route {
  page: string;
  /** The path segment after the page, e.g. the customer id. */
  param?: string;
  query: URLSearchParams;
}

function parse(hash: string): Route {
  const [path, search = ''] = hash.replace(/^#\/?/, '').split('?');
  const [page = '', param] = path.split('/');
  return { page: page || 'find', param: param ? decodeURIComponent(param) : undefined, query: new URLSearchParams(search) };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parse(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parse(location.hash));
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

export function href(page: string, param?: string | number, query?: Record<string, string>): string {
  const search = query && Object.values(query).some(Boolean) ? `?${new URLSearchParams(query)}` : '';
  return `#/${page}${param === undefined ? '' : `/${encodeURIComponent(String(param))}`}${search}`;
}

/** Changes the hash without adding a history entry (typing in the search box). */
export function replaceRoute(target: string): void {
  history.replaceState(null, '', target);
}
