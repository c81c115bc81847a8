// The console's frame: sign-in, the navigation, and the page the URL hash names.
import { useCallback, useMemo, useState } from 'react';
import { Provider, useQuery } from 'urql';
import { ViewerQuery } from './api.ts';
import { createApiClient } from './client.ts';
import { AppsPage } from './pages/Apps.tsx';
import { CustomerPage } from './pages/Customer.tsx';
import { FindPage } from './pages/Find.tsx';
import { ImportsPage } from './pages/Imports.tsx';
import { ResolvePage } from './pages/Resolve.tsx';
import { SignIn } from './pages/SignIn.tsx';
import { href, useRoute } from './router.ts';
import { forgetToken, saveToken, storedToken } from './session.ts';
import { AbilitiesContext, ErrorNote, type Abilities } from './ui.tsx';

export function App() {
  const [token, setToken] = useState(storedToken);
  const [notice, setNotice] = useState<string>();
  const signOut = useCallback((reason?: string) => {
    forgetToken();
    setNotice(reason);
    setToken(null);
  }, []);
  const client = useMemo(
    () => (token ? createApiClient(token, () => signOut('The token was refused (invalid, expired or revoked). Sign in again.')) : null),
    [token, signOut],
  );
  if (!client) {
    return (
      <SignIn
        notice={notice}
        onToken={(next) => {
          saveToken(next);
          setNotice(undefined);
          setToken(next);
        }}
      />
    );
  }
  return (
    <Provider value={client}>
      <Shell signOut={signOut} />
    </Provider>
  );
}

interface Viewer {
  appKey: string;
  appName: string;
  scopes: string[];
}

function Shell({ signOut }: { signOut: (reason?: string) => void }) {
  const [{ data, error, fetching }] = useQuery<{ viewer: Viewer | null }>({ query: ViewerQuery });
  const route = useRoute();
  const viewer = data?.viewer;
  const abilities: Abilities = useMemo(() => {
    const scopes = new Set(viewer?.scopes ?? []);
    return { read: scopes.has('customer:read'), write: scopes.has('customer:write'), admin: scopes.has('admin') };
  }, [viewer]);
  if (!viewer) return <main className="page">{fetching ? <p>Loading…</p> : <ErrorNote error={error} />}</main>;
  const pages: [string, string][] = [
    ['find', 'Find'],
    ['resolve', 'Resolve'],
    ['imports', 'Imports'],
    ...(abilities.admin ? [['apps', 'Apps'] as [string, string]] : []),
  ];
  const current = route.page === 'customer' ? 'find' : route.page;
  return (
    <AbilitiesContext.Provider value={abilities}>
      <header className="topbar">
        <a className="brand" href={href('find')}>
          customer-graph <span>console</span>
        </a>
        <nav aria-label="Pages">
          {pages.map(([page, label]) => (
            <a key={page} href={href(page)} aria-current={current === page ? 'page' : undefined}>
              {label}
            </a>
          ))}
        </nav>
        <div className="who" title={viewer.appKey}>
          <span className="app">{viewer.appName}</span>
          {viewer.scopes.map((scope) => (
            <span key={scope} className="scope">
              {scope}
            </span>
          ))}
          <button type="button" className="link" onClick={() => signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main className="page">
        {route.page === 'customer' && route.param ? (
          <CustomerPage key={route.param} id={route.param} />
        ) : route.page === 'resolve' ? (
          <ResolvePage />
        ) : route.page === 'apps' ? (
          <AppsPage currentAppKey={viewer.appKey} />
        ) : route.page === 'imports' ? (
          <ImportsPage jobId={route.param ? Number(route.param) : undefined} />
        ) : (
          <FindPage initial={route.query.get('q') ?? ''} />
        )}
      </main>
    </AbilitiesContext.Provider>
  );
}
