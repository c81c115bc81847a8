// The example programs' token: POST /openapi/auth/token with the app's key and secret.

export function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (the appKey and secret from: npx customer-graph app create …)`);
  return value;
}

/** POST /openapi/auth/token: {appKey, secret} → {code: 0, data: {token, expiresIn}}. */
export async function fetchToken(baseUrl: string, appKey: string, secret: string): Promise<string> {
  const res = await fetch(`${baseUrl}/openapi/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ appKey, secret }),
  });
  const body = (await res.json()) as { code: number; msg: string; data: { token: string } | null };
  if (body.code !== 0 || !body.data) throw new Error(`token refused (HTTP ${res.status}): ${body.msg}`);
  return body.data.token;
}
