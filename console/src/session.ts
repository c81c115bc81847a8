// The token the console calls the API with: typed in, exchanged from appKey + secret, or (in
// development on loopback) the development token the gateway put in the page. Kept in
// sessionStorage: gone when the tab closes, never shared with other tabs or sites.
const KEY = 'customer-graph.console.token';

export function storedToken(): string | null {
  return sessionStorage.getItem(KEY);
}

export function saveToken(token: string): void {
  sessionStorage.setItem(KEY, token);
}

export function forgetToken(): void {
  sessionStorage.removeItem(KEY);
}

/** The development token the gateway serves in a meta tag (embedded database, loopback, not production). */
export function developmentToken(): string | null {
  return document.querySelector<HTMLMetaElement>('meta[name="cg-development-token"]')?.content || null;
}

/** POST /openapi/auth/token: appKey + secret → a bearer token (the REST envelope: code 0 is success). */
export async function exchangeSecret(appKey: string, secret: string): Promise<string> {
  const response = await fetch('/openapi/auth/token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ appKey, secret }),
  });
  const body = (await response.json().catch(() => ({}))) as { code?: number; msg?: string; data?: { token?: string } };
  if (body.code !== 0 || !body.data?.token) throw new Error(body.msg || `HTTP ${response.status}`);
  return body.data.token;
}
