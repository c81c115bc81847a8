// Documents a client names by hash instead of sending them: trusted documents (a manifest the
// client's build emits, GRAPHQL_PERSISTED_DOCUMENTS) and Apollo's automatic persisted queries
// (APQ: a client sends the hash alone, and the document once when the server does not know it).
// Both only replace the document's text: auth (before yoga), the rate limit, GraphQL Armor and
// the cost limit run on it exactly as on a document sent in full.
//
// GRAPHQL_TRUSTED_DOCUMENTS_ONLY=on refuses any document not in the manifest (admin tokens
// excepted: GraphiQL, the console's operators) and turns APQ's registration off, so a stolen app
// token can run only what the app's build shipped.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { useAPQ } from '@graphql-yoga/plugin-apq';
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import { GraphQLError, parse, validate, type GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { LRUCache } from 'lru-cache';
import type { Config } from '../config.ts';
import type { ServerContext } from './graphql.ts';

export type Manifest = ReadonlyMap<string, string>;

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** graphql-codegen's client preset names documents `sha256:<hex>`; Apollo's APQ sends the hex. */
const bareHash = (hash: string): string => hash.replace(/^sha256:/i, '').toLowerCase();

/** The hash a client sent, without the `sha256:` prefix, so that both spellings name one document. */
const normaliseHash: Plugin = {
  onParams({ params, setParams }) {
    const persisted = params.extensions?.persistedQuery as { sha256Hash?: unknown } | undefined;
    if (typeof persisted?.sha256Hash !== 'string') return;
    const sha256Hash = bareHash(persisted.sha256Hash);
    setParams({ ...params, extensions: { ...params.extensions, persistedQuery: { ...persisted, sha256Hash } } });
  },
};

/**
 * Reads a manifest `{"<sha256 hex>": "<document>"}` (graphql-codegen client preset's
 * persisted-documents.json). Refuses to start on an entry whose hash is not its document's or
 * that does not validate against the schema: a client would fail on it at run time.
 */
export function loadManifest(path: string, schema: GraphQLSchema): Manifest {
  let entries: unknown;
  try {
    entries = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`GRAPHQL_PERSISTED_DOCUMENTS: cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  if (!entries || typeof entries !== 'object' || Array.isArray(entries)) {
    throw new Error(`GRAPHQL_PERSISTED_DOCUMENTS: ${path} must be a JSON object {"<sha256>": "<document>"}`);
  }
  const manifest = new Map<string, string>();
  for (const [key, document] of Object.entries(entries)) {
    const where = `GRAPHQL_PERSISTED_DOCUMENTS: ${path}, entry ${key}`;
    const hash = bareHash(key);
    if (typeof document !== 'string') throw new Error(`${where}: the document must be a string`);
    if (sha256(document) !== hash) throw new Error(`${where}: the key is not the sha256 of its document`);
    const errors = validate(schema, parse(document));
    if (errors.length) throw new Error(`${where}: ${errors.map((e) => e.message).join('; ')}`);
    manifest.set(hash, document);
  }
  return manifest;
}

/**
 * The documents a hash can name: the manifest's, then (APQ on) those clients registered, in
 * a least-recently-used store bounded by their total length. Per process: a client whose hash
 * another instance registered gets PersistedQueryNotFound once and sends the document again.
 */
function documentStore(manifest: Manifest, config: Config) {
  const registering = config.GRAPHQL_APQ === 'on' && config.GRAPHQL_TRUSTED_DOCUMENTS_ONLY === 'off';
  const registered = new LRUCache<string, string>({
    maxSize: config.GRAPHQL_APQ_CACHE_CHARS,
    sizeCalculation: (document) => Math.max(1, document.length),
  });
  return {
    get: (hash: string) => manifest.get(hash) ?? registered.get(hash) ?? null,
    set: (hash: string, document: string) => {
      // A document longer than the whole store is not kept (lru-cache would refuse it anyway).
      if (registering && !manifest.has(hash) && document.length <= config.GRAPHQL_APQ_CACHE_CHARS) {
        registered.set(hash, document);
      }
    },
  };
}

function refusal(message: string, code: string, status: number): GraphQLError {
  return new GraphQLError(message, { extensions: { code, http: { status } } });
}

export function persistedDocumentPlugins(config: Config, schema: GraphQLSchema): Plugin[] {
  const path = config.GRAPHQL_PERSISTED_DOCUMENTS;
  const manifest: Manifest = path ? loadManifest(path, schema) : new Map();
  const store = documentStore(manifest, config);
  const trustedOnly = config.GRAPHQL_TRUSTED_DOCUMENTS_ONLY === 'on';
  // The persisted-operations plugin sees the request, not the caller: admins are marked here.
  const mayRunAnyDocument = new WeakSet<Request>();
  const markAdmins: Plugin<Record<string, unknown>, ServerContext> = {
    onParams({ request, context }) {
      const caller = context.req.caller;
      if (caller?.scopes.has('admin')) mayRunAnyDocument.add(request);
    },
  };
  return [
    normaliseHash,
    ...(trustedOnly ? [markAdmins as Plugin] : []),
    usePersistedOperations({
      allowArbitraryOperations: trustedOnly ? (request) => mayRunAnyDocument.has(request) : true,
      getPersistedOperation: (hash) => store.get(hash),
      customErrors: {
        // Apollo's persisted-query link sends the document when it reads this code.
        notFound: { message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND', http: { status: 404 } } },
        keyNotFound: () =>
          refusal('query: send a query string, or extensions.persistedQuery.sha256Hash of a registered document', 'BAD_INPUT', 400),
        persistedQueryOnly: () =>
          refusal(
            'query: only trusted documents run here (GRAPHQL_TRUSTED_DOCUMENTS_ONLY): send extensions.persistedQuery.sha256Hash of a document in the manifest',
            'FORBIDDEN',
            403,
          ),
      },
    }),
    // Checks that a document sent with a hash is the hash's (PERSISTED_QUERY_MISMATCH, 400), and
    // registers it when APQ is on.
    useAPQ({ store }),
  ];
}
