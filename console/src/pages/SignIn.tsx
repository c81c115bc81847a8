// Sign-in: a bearer token, or an app's key and secret exchanged for one (POST /openapi/auth/token).
import { useState, type SubmitEvent } from 'react';
import { developmentToken, exchangeSecret } from '../session.ts';

export function SignIn({ notice, onToken }: { notice?: string; onToken: (token: string) => void }) {
  const prefilled = developmentToken();
  const [token, setToken] = useState(prefilled ?? '');
  const [appKey, setAppKey] = useState('');
  const [secret, setSecret] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const withToken = (event: SubmitEvent) => {
    event.preventDefault();
    if (token.trim()) onToken(token.trim());
  };
  const withSecret = async (event: SubmitEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onToken(await exchangeSecret(appKey.trim(), secret));
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="signin">
      <h1>
        customer-graph <span>console</span>
      </h1>
      {notice && <p className="error">{notice}</p>}
      <form onSubmit={withToken} className="card">
        <h2>Sign in with a token</h2>
        <label>
          Bearer token
          <input name="token" value={token} onChange={(e) => setToken(e.target.value)} autoComplete="off" spellCheck={false} />
        </label>
        {prefilled && <p className="hint">Pre-filled with the development token (development server on loopback).</p>}
        <button type="submit" disabled={!token.trim()}>
          Sign in
        </button>
      </form>
      <form onSubmit={withSecret} className="card">
        <h2>…or with an app key and secret</h2>
        <label>
          appKey
          <input name="appKey" value={appKey} onChange={(e) => setAppKey(e.target.value)} autoComplete="username" spellCheck={false} />
        </label>
        <label>
          secret
          <input name="secret" type="password" value={secret} onChange={(e) => setSecret(e.target.value)} autoComplete="current-password" />
        </label>
        {error && <p className="error">{error}</p>}
        <button type="submit" disabled={busy || !appKey.trim() || !secret}>
          Get a token and sign in
        </button>
      </form>
      <p className="hint">The token stays in this tab (sessionStorage) and is sent only to this gateway.</p>
    </main>
  );
}
