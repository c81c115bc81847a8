// Helpers for the REST shim tests: find a route row, replay its seed example (as JSON, as a
// query string or as a form body), and check an answer against the envelope the docs promise.
import { expect } from 'vitest';
import { z } from 'zod';
import type { RestRoute } from '../../src/rest/route.ts';
import { restRoutes } from '../../src/rest/table.ts';
import type { Reply, RequestOptions, TestGateway } from './gateway.ts';

export function routeOf(path: string): RestRoute {
  const route = restRoutes.find((r) => r.path === path);
  if (!route) throw new Error(`no route ${path}`);
  return route;
}

/** A form body as a legacy client sends it: nested values as JSON text, the rest as text. */
export function asForm(input: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(input).map(([key, value]) => [key, typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value)]),
  );
}

/** Calls a route with `input` (default: its seed example) the way its method sends it. */
export function call(
  t: TestGateway,
  route: RestRoute,
  input: Record<string, unknown> = route.example as Record<string, unknown>,
  options: RequestOptions & { asForm?: boolean } = {},
): Promise<Reply> {
  const { asForm: form, ...rest } = options;
  if (route.method === 'GET') {
    const query = new URLSearchParams(asForm(input)).toString();
    return t.request('GET', `${route.path}${query ? `?${query}` : ''}`, rest);
  }
  return form ? t.request('POST', route.path, { ...rest, form: asForm(input) }) : t.request('POST', route.path, { ...rest, body: input });
}

/** The answer is a success in the route's family envelope, its data of the documented shape. */
export function expectSuccess(route: RestRoute, reply: Reply): void {
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  const schema = route.family.successSchema(route.response ?? z.unknown());
  const parsed = schema.safeParse(reply.body);
  expect(parsed.success, parsed.error?.message).toBe(true);
}

/** The answer is a failure in the route's family envelope with this status, naming `field`. */
export function expectFailure(route: RestRoute, reply: Reply, status: number, field?: string | RegExp): void {
  expect(reply.status, JSON.stringify(reply.body)).toBe(status);
  const parsed = route.family.failureSchema.safeParse(reply.body);
  expect(parsed.success, parsed.error?.message).toBe(true);
  const message: string = reply.body.msg ?? reply.body.error_message;
  if (typeof field === 'string') expect(message).toMatch(new RegExp(`(^|[\\s;])${field.replace(/[[\].]/g, '\\$&')}[:\\s(]`));
  else if (field) expect(message).toMatch(field);
}
