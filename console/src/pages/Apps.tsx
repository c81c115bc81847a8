// Apps (admin): every client app with its scopes and live tokens; create one (its secret is shown
// this once), revoke an app (after a confirmation naming it), or revoke a single token.
import { useState, type SubmitEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { AppsQuery, CreateAppMutation, RevokeAppMutation, RevokeTokenMutation, type App } from '../api.ts';
import { ErrorNote, useAbilities, when } from '../ui.tsx';

const SCOPES = ['customer:read', 'customer:write', 'admin'];

export function AppsPage({ currentAppKey }: { currentAppKey: string }) {
  const { admin } = useAbilities();
  const [apps, refetch] = useQuery<{ apps: App[] }>({ query: AppsQuery, pause: !admin });
  const reload = () => refetch({ requestPolicy: 'network-only' });
  if (!admin) return <p className="hint">Apps are managed with an admin token.</p>;
  return (
    <section className="apps">
      <h1>Apps</h1>
      <div className="columns">
        <CreateApp onCreated={reload} />
        <RevokeToken />
      </div>
      <section className="card">
        <h2>Client apps {apps.data && <span className="muted">({apps.data.apps.length})</span>}</h2>
        <ErrorNote error={apps.error} />
        <table className="grid" aria-label="Apps">
          <thead>
            <tr>
              <th>Name</th>
              <th>appKey</th>
              <th>Scopes</th>
              <th>Live tokens</th>
              <th>Created</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {apps.data?.apps.map((app) => (
              <AppRow key={app.appKey} app={app} current={app.appKey === currentAppKey} onChanged={reload} />
            ))}
          </tbody>
        </table>
      </section>
    </section>
  );
}

function AppRow({ app, current, onChanged }: { app: App; current: boolean; onChanged: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const [result, revoke] = useMutation(RevokeAppMutation);
  const confirm = async () => {
    const outcome = await revoke({ appKey: app.appKey });
    if (!outcome.error) {
      setConfirming(false);
      onChanged();
    }
  };
  return (
    <tr className={app.revokedAt ? 'revoked' : ''}>
      <td>
        {app.name}
        {app.development && <span className="badge">development</span>}
        {current && <span className="badge">this console</span>}
      </td>
      <td className="mono">{app.appKey}</td>
      <td>{app.scopes.join(', ')}</td>
      <td>{app.revokedAt ? '' : app.activeTokens}</td>
      <td className="muted">{when(app.createdAt)}</td>
      <td>
        {app.revokedAt ? (
          <span className="muted">revoked {when(app.revokedAt)}</span>
        ) : confirming ? (
          <span className="actions">
            <button type="button" className="danger" disabled={result.fetching} onClick={confirm}>
              Revoke {app.name}
            </button>
            <button type="button" className="secondary" onClick={() => setConfirming(false)}>
              Keep
            </button>
          </span>
        ) : (
          <button
            type="button"
            className="secondary"
            onClick={() => setConfirming(true)}
            title={current ? 'This console signs in with it' : undefined}
          >
            Revoke…
          </button>
        )}
        <ErrorNote error={result.error} />
      </td>
    </tr>
  );
}

function CreateApp({ onCreated }: { onCreated: () => void }) {
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>(['customer:read']);
  const [result, create] = useMutation<{ createApp: { appKey: string; secret: string; app: App } }>(CreateAppMutation);
  const [shown, setShown] = useState<{ appKey: string; secret: string; name: string }>();
  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const outcome = await create({ name: name.trim(), scopes });
    if (outcome.data) {
      const { appKey, secret, app } = outcome.data.createApp;
      setShown({ appKey, secret, name: app.name });
      setName('');
      onCreated();
    }
  };
  const toggle = (scope: string, on: boolean) => setScopes(on ? [...scopes, scope] : scopes.filter((s) => s !== scope));
  return (
    <section className="card">
      <h2>Create an app</h2>
      <form onSubmit={submit} aria-label="Create an app">
        <label>
          Name
          <input name="name" value={name} maxLength={100} onChange={(e) => setName(e.target.value)} />
        </label>
        <fieldset className="scopes">
          <legend>Scopes</legend>
          {SCOPES.map((scope) => (
            <label key={scope} className="check">
              <input type="checkbox" checked={scopes.includes(scope)} onChange={(e) => toggle(scope, e.target.checked)} />
              {scope}
            </label>
          ))}
        </fieldset>
        <button type="submit" disabled={!name.trim() || scopes.length === 0 || result.fetching}>
          Create
        </button>
      </form>
      <ErrorNote error={result.error} />
      {shown && (
        <div className="secret" role="status" aria-label="New app secret">
          <p>
            <strong>{shown.name}</strong> created. Copy the secret now: it is shown this once and stored only as a hash.
          </p>
          <dl className="fields">
            <dt>appKey</dt>
            <dd className="mono">{shown.appKey}</dd>
            <dt>secret</dt>
            <dd className="mono">{shown.secret}</dd>
          </dl>
          <button type="button" className="secondary" onClick={() => setShown(undefined)}>
            I have copied it
          </button>
        </div>
      )}
    </section>
  );
}

function RevokeToken() {
  const [token, setToken] = useState('');
  const [result, revoke] = useMutation<{ revokeToken: { revoked: boolean } }>(RevokeTokenMutation);
  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const outcome = await revoke({ token: token.trim() });
    if (outcome.data) setToken('');
  };
  return (
    <section className="card">
      <h2>Revoke a token</h2>
      <form className="row" onSubmit={submit} aria-label="Revoke a token">
        <input
          aria-label="Token to revoke"
          value={token}
          onChange={(e) => setToken(e.target.value)}
          autoComplete="off"
          spellCheck={false}
        />
        <button type="submit" className="danger" disabled={!token.trim() || result.fetching}>
          Revoke
        </button>
      </form>
      <ErrorNote error={result.error} />
      {result.data && <p role="status">{result.data.revokeToken.revoked ? 'Revoked.' : 'Unknown or already revoked: nothing changed.'}</p>}
    </section>
  );
}
