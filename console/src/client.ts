// The GraphQL client: urql for queries and mutations, graphql-sse for subscriptions (the
// "distinct connections" GraphQL-over-SSE protocol graphql-yoga serves at /graphql).
import { createClient as createSseClient } from 'graphql-sse';
import { cacheExchange, Client, fetchExchange, subscriptionExchange } from 'urql';

/** `onRefused` is called when the gateway refuses the token (HTTP 401: expired or revoked). */
export function createApiClient(token: string, onRefused: () => void): Client {
  const authorization = `Bearer ${token}`;
  const checkedFetch: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    if (response.status === 401) onRefused();
    return response;
  };
  const sse = createSseClient({ url: '/graphql', headers: { authorization }, retryAttempts: 2, fetchFn: checkedFetch });
  return new Client({
    url: '/graphql',
    preferGetMethod: false,
    fetch: checkedFetch,
    fetchOptions: { headers: { authorization } },
    requestPolicy: 'cache-and-network',
    exchanges: [
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({
            unsubscribe: sse.subscribe(
              { query: request.query ?? '', variables: request.variables, operationName: request.operationName },
              sink,
            ),
          }),
        }),
      }),
    ],
  });
}
