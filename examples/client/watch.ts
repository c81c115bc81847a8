// Follows one customer with Apollo Client 4: reads it with @defer (its name at once, its
// groups in a later part), then prints each change until the customer is deleted, merged away
// or erased. Apollo's default HttpLink subscribes over Apollo's multipart protocol; the
// persisted-query link sends each document's trusted-document hash (generated/graphql.ts)
// instead of its text, so the gateway must load the manifest codegen wrote:
//
//   GRAPHQL_PERSISTED_DOCUMENTS=examples/client/generated/persisted-documents.json npm start
//   CUSTOMER_GRAPH_APP_KEY=ak_… CUSTOMER_GRAPH_SECRET=… npm run example:watch -- 1
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { Defer20220824Handler } from '@apollo/client/incremental';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import type { DocumentNode } from 'graphql';
import { CustomerChangesDocument, CustomerSummaryDocument } from './generated/graphql.ts';
import { fetchToken, required } from './token.ts';

/** The hash codegen's client preset put in the document (`persistedDocuments`). */
function trustedHash(document: DocumentNode): string {
  const hash = (document as { __meta__?: { hash?: string } }).__meta__?.hash;
  if (!hash) throw new Error('a document without a hash: run npm run example:codegen');
  return hash;
}

async function main(): Promise<void> {
  const baseUrl = process.env.CUSTOMER_GRAPH_URL ?? 'http://127.0.0.1:4000';
  const id = process.argv[2];
  if (!id) throw new Error('usage: npm run example:watch -- <customerId>');
  const token = await fetchToken(baseUrl, required('CUSTOMER_GRAPH_APP_KEY'), required('CUSTOMER_GRAPH_SECRET'));
  const client = new ApolloClient({
    link: ApolloLink.from([
      new PersistedQueryLink({ generateHash: trustedHash }),
      new HttpLink({ uri: `${baseUrl}/graphql`, headers: { authorization: `Bearer ${token}` } }),
    ]),
    cache: new InMemoryCache(),
    incrementalHandler: new Defer20220824Handler(),
  });

  const summary = await client.query({ query: CustomerSummaryDocument, variables: { id } });
  if (summary.error) throw new Error(summary.error.message, { cause: summary.error });
  const customer = summary.data?.customer;
  if (!customer) throw new Error(`customer ${id} is gone`);
  const groups = (customer.groups ?? []).map((g) => g.name).join(', ') || 'no group';
  console.log(`watching customer ${customer.customerId} (${customer.name ?? 'no name'}; ${groups})`);

  await new Promise<void>((resolve, reject) => {
    client.subscribe({ query: CustomerChangesDocument, variables: { id } }).subscribe({
      next: ({ data, error }) => {
        if (error) {
          reject(new Error(error.message, { cause: error }));
          return;
        }
        const change = data?.customerChanged;
        if (!change) return;
        const into = change.mergedInto ? ` into ${change.mergedInto}` : '';
        console.log(`${change.at} ${change.kind}${into}${change.customer ? `: ${change.customer.name ?? 'no name'}` : ''}`);
      },
      error: (error: Error) => reject(error),
      complete: resolve,
    });
  });
  console.log('the stream ended');
}

main().catch((error: unknown) => {
  console.error(`example watch failed: ${(error as Error).message}`);
  process.exitCode = 1;
});
