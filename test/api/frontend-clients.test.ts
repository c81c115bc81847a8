// Real frontend clients against a listening gateway: Apollo Client 4 (its default HttpLink
// subscribing over Apollo's multipart protocol, @defer, automatic persisted queries), urql with
// the trusted documents the example client's codegen emits, and graphql-sse's client. Beside
// them, what those protocols must refuse: an unknown hash, a hash that is not the document's,
// and documents outside the manifest when only trusted documents run.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { Defer20220824Handler } from '@apollo/client/incremental';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { persistedExchange } from '@urql/exchange-persisted';
import { createClient as createSseClient } from 'graphql-sse';
import { Client as UrqlClient, fetchExchange } from 'urql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CustomerByIdDocument,
  CustomerChangesDocument,
  CustomerSummaryDocument,
  ResolveCustomerDocument,
} from '../../examples/client/generated/graphql.ts';
import { loadManifest } from '../../src/http/persisted-documents.ts';
import { schema } from '../../src/schema/index.ts';
import { startTestGateway, type GatewayClient, type TestGateway } from '../support/gateway.ts';
import { pollUntil } from '../support/poll.ts';

const manifestPath = fileURLToPath(new URL('../../examples/client/generated/persisted-documents.json', import.meta.url));
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
/** The hash codegen's client preset put in a generated document (persistedDocuments). */
const hashOf = (document: object) => (document as { __meta__?: { hash?: string } }).__meta__?.hash;

let t: TestGateway;
let url: string;

beforeAll(async () => {
  t = await startTestGateway({ GRAPHQL_PERSISTED_DOCUMENTS: manifestPath });
  url = `${await t.gateway.app.listen({ port: 0, host: '127.0.0.1' })}/graphql`;
});
afterAll(() => t.close());

async function newCustomer(phone: string): Promise<number> {
  const res = await t.graphql(
    `mutation { createCustomer(identities: [{ identityType: "phone", identityValue: "${phone}" }]) { customerId } }`,
  );
  expect(res.body.errors).toBeUndefined();
  return res.body.data.createCustomer.customerId;
}

/** The requests a client sent (a GET's parameters as its body) and how they were answered. */
function recordingFetch(token: string) {
  const seen: Array<{ method: string; body: any; accept: string; contentType?: string; status?: number }> = [];
  const send: typeof fetch = async (input, init) => {
    const headers = new Headers(init?.headers);
    const params = Object.fromEntries(new URL(input instanceof Request ? input.url : input.toString()).searchParams);
    const body =
      typeof init?.body === 'string' ? JSON.parse(init.body) : { ...params, extensions: JSON.parse(params.extensions ?? 'null') };
    const entry: (typeof seen)[number] = { method: init?.method ?? 'GET', body, accept: headers.get('accept') ?? '' };
    seen.push(entry);
    const response = await fetch(input, init);
    entry.contentType = response.headers.get('content-type') ?? '';
    entry.status = response.status;
    return response;
  };
  return { seen, fetch: send, headers: { authorization: `Bearer ${token}` } };
}

function apollo(token: string, options: { persisted?: boolean } = {}) {
  const recorder = recordingFetch(token);
  const http = new HttpLink({ uri: url, fetch: recorder.fetch, headers: recorder.headers });
  const link = options.persisted ? ApolloLink.from([new PersistedQueryLink({ sha256 }), http]) : http;
  const client = new ApolloClient({ link, cache: new InMemoryCache(), incrementalHandler: new Defer20220824Handler() });
  return { client, seen: recorder.seen };
}

describe('Apollo Client 4, default HttpLink', () => {
  it('subscribes over multipart/mixed;subscriptionSpec=1.0 and gets each event, then the end of the stream', async () => {
    const id = await newCustomer('13700000001');
    const { client, seen } = apollo(t.tokens.read);
    const events: any[] = [];
    let completed = false;
    let failed: unknown;
    const before = t.gateway.services.pubsub.listening('customerChanged', id);
    const subscription = client.subscribe({ query: CustomerChangesDocument, variables: { id: String(id) } }).subscribe({
      next: (result) => events.push(result),
      error: (error) => (failed = error),
      complete: () => (completed = true),
    });
    await pollUntil(() => t.gateway.services.pubsub.listening('customerChanged', id) > before, 'the subscription listens');
    await pollUntil(() => seen[0]?.contentType !== undefined, 'the response headers arrive');
    expect(seen[0].accept).toMatch(/^multipart\/mixed;boundary=graphql;subscriptionSpec=1\.0/);
    expect(seen[0].contentType).toBe('multipart/mixed;boundary="graphql";subscriptionSpec="1.0"');

    await t.graphql('mutation($id: ID!) { updateCustomer(id: $id, profile: { name: "张三" }) { customerId } }', { id });
    await pollUntil(() => events.length === 1, 'the UPDATED event arrives');
    expect(events[0].data.customerChanged).toMatchObject({ kind: 'UPDATED', customer: { customerId: id, name: '张三' } });

    await t.graphql('mutation($id: ID!) { deleteCustomer(id: $id) { customerId } }', { id });
    await pollUntil(() => completed || failed !== undefined, 'the stream ends after DELETED');
    expect(failed).toBeUndefined();
    expect(events.map((e) => e.data.customerChanged.kind)).toEqual(['UPDATED', 'DELETED']);
    subscription.unsubscribe();
    await pollUntil(() => t.gateway.services.pubsub.listening('customerChanged', id) === before, 'nothing is left listening');
  });

  it('a subscription refused before it starts (no read scope) is an error, not a stream', async () => {
    const id = await newCustomer('13700000002');
    const { client } = apollo(t.tokens.write);
    const error = await new Promise<any>((resolve) => {
      client.subscribe({ query: CustomerChangesDocument, variables: { id: String(id) } }).subscribe({
        next: (result) => result.error && resolve(result.error),
        error: resolve,
      });
    });
    expect(JSON.stringify(error)).toMatch(/FORBIDDEN|customer:read/);
  });

  it('a query with @defer is answered as incremental multipart parts and merged by the client', async () => {
    const id = await newCustomer('13700000003');
    const group = (await t.graphql('mutation { createGroup(name: "defer-vip") { groupId } }')).body.data.createGroup.groupId;
    await t.graphql(`mutation { addGroupMembers(groupId: ${group}, customerIds: [${id}]) { changed } }`);
    const { client, seen } = apollo(t.tokens.read);
    const result = await client.query({ query: CustomerSummaryDocument, variables: { id: String(id) }, fetchPolicy: 'no-cache' });
    expect(result.error).toBeUndefined();
    expect(result.data?.customer).toMatchObject({ customerId: id, groups: [{ groupId: group, name: 'defer-vip' }] });
    expect(seen[0].accept).toMatch(/multipart\/mixed;deferSpec=20220824/);
    expect(seen[0].contentType).toMatch(/^multipart\/mixed/);
  });

  it('a list with @stream arrives item by item, within the same cost limit', async () => {
    await newCustomer('13700000004');
    const query = gql`
      query Streamed {
        customers(first: 3) {
          edges @stream(initialCount: 1) {
            node {
              customerId
            }
          }
        }
      }
    `;
    const { client, seen } = apollo(t.tokens.read);
    const result = await client.query({ query, fetchPolicy: 'no-cache' });
    expect(result.error).toBeUndefined();
    expect((result.data as any).customers.edges.length).toBe(3);
    expect(seen[0].contentType).toMatch(/^multipart\/mixed/);
    const tooCostly = await t.graphql(
      '{ customers(first: 100) { edges @stream { node { groups { members(first: 100) { edges { node { customerId } } } } } } } }',
    );
    expect(tooCostly.status).toBe(400);
  });
});

/** The JSON parts of a multipart/mixed body, in order. */
function multipartParts(body: string): any[] {
  return body
    .split(/\r\n--[^\r\n]*/)
    .map((part) => part.slice(part.indexOf('\r\n\r\n') + 4).trim())
    .filter((part) => part.startsWith('{'))
    .map((part) => JSON.parse(part));
}

describe('@defer with the existing plugins', () => {
  const multipart = { accept: 'multipart/mixed' };

  it('a deferred part is masked, scoped and validated like the rest of the answer', async () => {
    const id = await newCustomer('13700000040');
    const res = await t.request('POST', '/graphql', {
      token: t.tokens.write,
      headers: multipart,
      body: {
        query: `query($id: ID!) { viewer { appKey }
          ... @defer(label: "customer") { customer(id: $id) { name } }
          ... @defer(label: "page") { customers(first: 150) { totalCount } } }`,
        variables: { id: String(id) },
      },
    });
    expect(res.status).toBe(200);
    const parts = multipartParts(String(res.body));
    expect(parts[0]).toMatchObject({ data: { viewer: { appKey: expect.any(String) } }, hasNext: true });
    const incremental = parts.slice(1).flatMap((p) => p.incremental ?? []);
    const byLabel = Object.fromEntries(incremental.map((i: any) => [i.label, i]));
    expect(byLabel.customer.errors[0].extensions.code).toBe('FORBIDDEN');
    expect(byLabel.page.errors[0]).toMatchObject({ extensions: { code: 'BAD_INPUT' } });
    expect(byLabel.page.errors[0].message).toMatch(/first/);
    expect(JSON.stringify(parts)).not.toMatch(/INTERNAL|stack|prisma|"http"/i);
  });

  it('the visibility layer hides a deleted customer in a deferred part as anywhere else', async () => {
    const id = await newCustomer('13700000041');
    await t.graphql('mutation($id: ID!) { deleteCustomer(id: $id) { customerId } }', { id: String(id) });
    const res = await t.request('POST', '/graphql', {
      token: t.tokens.read,
      headers: multipart,
      body: {
        query: 'query($id: ID!) { viewer { appKey } ... @defer { customer(id: $id) { name } } }',
        variables: { id: String(id) },
      },
    });
    const deferred = multipartParts(String(res.body)).flatMap((p) => p.incremental ?? []);
    expect(deferred).toEqual([{ data: { customer: null }, path: [] }]);
  });

  it('a mutation with a deferred selection writes once, audits once, and answers the deferred part', async () => {
    const res = await t.request('POST', '/graphql', {
      headers: multipart,
      body: { query: 'mutation { createGroup(name: "deferred-group") { groupId ... @defer { name } } }' },
    });
    expect(res.status).toBe(200);
    const parts = multipartParts(String(res.body));
    expect(parts[0].data.createGroup.groupId).toEqual(expect.any(Number));
    expect(parts.flatMap((p) => p.incremental ?? [])[0].data).toEqual({ name: 'deferred-group' });
    expect(await t.prisma.group.count({ where: { name: 'deferred-group' } })).toBe(1);
    expect(
      await t.prisma.auditLog.count({
        where: { action: 'createGroup', entityType: 'Group', entityId: String(parts[0].data.createGroup.groupId) },
      }),
    ).toBe(1);
  });
});

describe('what stays JSON', () => {
  it('@defer for a client that accepts only JSON is 406; a batch (an array of operations) is refused', async () => {
    const deferred = await t.request('POST', '/graphql', {
      headers: { accept: 'application/json' },
      body: { query: '{ viewer { appKey ... @defer { appName } } }' },
    });
    expect(deferred.status).toBe(406);
    const batch = await t.request('POST', '/graphql', { body: [{ query: '{ viewer { appKey } }' }, { query: '{ viewer { appName } }' }] });
    expect(batch.status).toBe(400);
    expect(batch.body.data).toBeUndefined();
  });
});

describe('automatic persisted queries (Apollo PersistedQueryLink)', () => {
  it('sends the hash alone, the document once when the server does not know it, then the hash alone again', async () => {
    const id = await newCustomer('13700000010');
    const { client, seen } = apollo(t.tokens.read, { persisted: true });
    const query = gql`
      query ApqOnly($id: ID!) {
        customer(id: $id) {
          customerId
          mobile
        }
      }
    `;
    const first = await client.query({ query, variables: { id: String(id) }, fetchPolicy: 'no-cache' });
    expect((first.data as any).customer.customerId).toBe(id);
    const second = await client.query({ query, variables: { id: String(id) }, fetchPolicy: 'no-cache' });
    expect((second.data as any).customer.customerId).toBe(id);
    expect(seen.map((s) => [Boolean(s.body.query), s.status])).toEqual([
      [false, 404],
      [true, 200],
      [false, 200],
    ]);
  });

  it("an unknown hash is PersistedQueryNotFound; a hash that is not the document's is refused and nothing runs", async () => {
    const hash = sha256('query { nope }');
    const unknown = await t.request('POST', '/graphql', { body: { extensions: { persistedQuery: { version: 1, sha256Hash: hash } } } });
    expect(unknown.status).toBe(404);
    expect(unknown.body.errors).toEqual([{ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }]);

    const mutation = 'mutation { createGroup(name: "apq-mismatch") { groupId } }';
    const mismatch = await t.request('POST', '/graphql', {
      body: { query: mutation, extensions: { persistedQuery: { version: 1, sha256Hash: sha256('{ viewer { appKey } }') } } },
    });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.errors[0]).toMatchObject({
      message: 'extensions.persistedQuery.sha256Hash: is not the sha256 of the query sent',
      extensions: { code: 'PERSISTED_QUERY_MISMATCH' },
    });
    expect(await t.prisma.group.count({ where: { name: 'apq-mismatch' } })).toBe(0);

    const none = await t.request('POST', '/graphql', { body: { variables: {} } });
    expect(none.status).toBe(400);
    expect(none.body.errors[0].extensions.code).toBe('BAD_INPUT');
  });

  it('a registered document is held to the same auth and limits as one sent in full', async () => {
    const deep =
      '{ customers { edges { node { groups { parent { parent { parent { parent { parent { parent { parent { name } } } } } } } } } } } }';
    const hash = sha256(deep);
    const persisted = { persistedQuery: { version: 1, sha256Hash: hash } };
    const registered = await t.request('POST', '/graphql', { body: { query: deep, extensions: persisted } });
    expect(registered.status).toBe(400);
    expect(registered.body.errors[0].extensions.code).toBe('BAD_INPUT');
    const again = await t.request('POST', '/graphql', { body: { extensions: persisted } });
    expect(again.status).toBe(400);
    expect(again.body.errors[0].message).toMatch(/depth/i);

    const write = 'mutation { createGroup(name: "apq-auth") { groupId } }';
    const writeHash = { persistedQuery: { version: 1, sha256Hash: sha256(write) } };
    expect((await t.request('POST', '/graphql', { body: { query: write, extensions: writeHash } })).status).toBe(200);
    const readOnly = await t.request('POST', '/graphql', { token: t.tokens.read, body: { extensions: writeHash } });
    expect(readOnly.status).toBe(403);
    expect(readOnly.body.errors[0].extensions.code).toBe('FORBIDDEN');
    expect((await t.request('POST', '/graphql', { token: null, body: { extensions: writeHash } })).status).toBe(401);
    expect(await t.prisma.group.count({ where: { name: 'apq-auth' } })).toBe(1);
  });

  it('the store is bounded: past GRAPHQL_APQ_CACHE_CHARS the least recently used document is forgotten; GRAPHQL_APQ=off keeps none', async () => {
    const small = await t.variant({ GRAPHQL_APQ_CACHE_CHARS: '60' });
    const register = (query: string) =>
      small.request('POST', '/graphql', { body: { query, extensions: { persistedQuery: { version: 1, sha256Hash: sha256(query) } } } });
    const byHash = (query: string) =>
      small.request('POST', '/graphql', { body: { extensions: { persistedQuery: { version: 1, sha256Hash: sha256(query) } } } });
    const a = '{ viewer { appKey } }';
    const b = '{ viewer { appName } }';
    const c = '{ viewer { scopes } }';
    for (const query of [a, b, c]) expect((await register(query)).status).toBe(200);
    expect((await byHash(a)).status).toBe(404);
    expect((await byHash(c)).status).toBe(200);

    const off = await t.variant({ GRAPHQL_APQ: 'off' });
    const persistedQuery = { version: 1, sha256Hash: sha256(a) };
    expect((await off.request('POST', '/graphql', { body: { query: a, extensions: { persistedQuery } } })).status).toBe(200);
    expect((await off.request('POST', '/graphql', { body: { extensions: { persistedQuery } } })).status).toBe(404);
  });
});

describe('trusted documents (GRAPHQL_TRUSTED_DOCUMENTS_ONLY=on) with urql and the codegen manifest', () => {
  let trusted: GatewayClient;
  let trustedUrl: string;

  beforeAll(async () => {
    trusted = await t.variant({ GRAPHQL_PERSISTED_DOCUMENTS: manifestPath, GRAPHQL_TRUSTED_DOCUMENTS_ONLY: 'on' });
    trustedUrl = `${await trusted.gateway.app.listen({ port: 0, host: '127.0.0.1' })}/graphql`;
  });

  function urql(token: string) {
    const recorder = recordingFetch(token);
    const client = new UrqlClient({
      url: trustedUrl,
      fetch: recorder.fetch,
      fetchOptions: { headers: recorder.headers },
      exchanges: [
        persistedExchange({
          enforcePersistedQueries: true,
          enableForMutation: true,
          generateHash: async (_query, document) => hashOf(document),
        }),
        fetchExchange,
      ],
    });
    return { client, seen: recorder.seen };
  }

  it("runs the example client's documents by their hash alone", async () => {
    const { client, seen } = urql(t.tokens.readWrite);
    const input = { identityList: [{ identityType: 'phone', identityValue: '13700000020' }], name: '李四' };
    const created = await client.mutation(ResolveCustomerDocument, { input }).toPromise();
    expect(created.error).toBeUndefined();
    const id = created.data!.createCustomerByIdentity.customerId;
    const read = await client.query(CustomerByIdDocument, { id: String(id) }).toPromise();
    expect(read.error).toBeUndefined();
    expect(read.data?.customer).toMatchObject({ customerId: id, name: '李四' });
    expect(seen.map((s) => [s.method, s.body.query, s.body.extensions.persistedQuery.sha256Hash])).toEqual([
      ['POST', undefined, hashOf(ResolveCustomerDocument)],
      ['GET', undefined, hashOf(CustomerByIdDocument)],
    ]);
  });

  it('refuses any other document, and APQ registration, for app tokens; an admin token may run any', async () => {
    const other = await trusted.request('POST', '/graphql', { token: t.tokens.read, body: { query: '{ viewer { appKey } }' } });
    expect(other.status).toBe(403);
    expect(other.body.errors[0]).toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    expect(other.body.errors[0].message).toMatch(/^query: only trusted documents run here/);

    const query = '{ viewer { appName } }';
    const persistedQuery = { version: 1, sha256Hash: sha256(query) };
    const apq = await trusted.request('POST', '/graphql', { token: t.tokens.read, body: { query, extensions: { persistedQuery } } });
    expect(apq.status).toBe(403);
    const admin = await trusted.request('POST', '/graphql', { token: t.tokens.all, body: { query, extensions: { persistedQuery } } });
    expect(admin.body).toEqual({ data: { viewer: { appName: expect.any(String) } } });
    // The admin's document was not registered for anyone else.
    const byHash = await trusted.request('POST', '/graphql', { token: t.tokens.read, body: { extensions: { persistedQuery } } });
    expect(byHash.status).toBe(404);
  });

  it("refuses to start on a manifest entry whose key is not its document's hash, or that does not validate", () => {
    const path = join(tmpdir(), `manifest-${process.pid}.json`);
    writeFileSync(path, JSON.stringify({ [`sha256:${sha256('{ viewer { appKey } }')}`]: '{ viewer { appName } }' }));
    expect(() => loadManifest(path, schema)).toThrow(/entry sha256:[0-9a-f]{64}: the key is not the sha256 of its document/);
    writeFileSync(path, JSON.stringify({ [sha256('{ nope }')]: '{ nope }' }));
    expect(() => loadManifest(path, schema)).toThrow(/Cannot query field "nope"/);
  });
});

describe('graphql-sse client', () => {
  it('subscribes (distinct connections mode) and gets each event', async () => {
    const id = await newCustomer('13700000030');
    const client = createSseClient({ url, headers: { authorization: `Bearer ${t.tokens.read}` } });
    const before = t.gateway.services.pubsub.listening('customerChanged', id);
    const events = client.iterate({
      query: 'subscription($id: ID!) { customerChanged(id: $id) { kind customer { name } } }',
      variables: { id: String(id) },
    });
    const next = events.next();
    await pollUntil(() => t.gateway.services.pubsub.listening('customerChanged', id) > before, 'the subscription listens');
    await t.graphql('mutation($id: ID!) { updateCustomer(id: $id, profile: { name: "王五" }) { customerId } }', { id });
    expect((await next).value).toEqual({ data: { customerChanged: { kind: 'UPDATED', customer: { name: '王五' } } } });
    await events.return?.();
    client.dispose();
  });
});
