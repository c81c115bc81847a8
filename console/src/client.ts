// The GraphQL client: urql for queries and mutations, graphql-sse for subscriptions (the
// "distinct connections" GraphQL-over-SSE protocol graphql-yoga serves at /graphql).
import { createClient as createSseClient } from 'graphql-sse';
import { cacheExchange, Client, fetchExchange, subscriptionExchange } from 'urql';

export function createApiClient(token: string): Client {
  const authorization = `Bearer ${token}`;
  const sse = createSseClient({ url: '/graphql', headers: { authorization }, retryAttempts: 2 });
  return new Client({
    url: '/graphql',
    preferGetMethod: false,
    fetchOptions: { headers: { authorization } },
    requestPolicy: 'cache-and-network',
    exchanges: [
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({
            unsubscribe: sse.subscribe({ query: request.query ?? '', variables: request.variables, operationName: request.operationName }, sink),
          }),
        }),
      }),
    ],
  });
}
