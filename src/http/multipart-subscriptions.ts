// Apollo's multipart subscription protocol (https://www.apollographql.com/docs/graphos/routing/
// operations/subscriptions/multipart-protocol): Apollo Client's default HttpLink subscribes with
// `accept: multipart/mixed;subscriptionSpec=1.0` (graphql-yoga serves subscriptions over SSE
// only and would answer 406). Each event is a part `{"payload": <execution result>}`; a
// heartbeat part `{}` keeps proxies from closing an idle stream; the stream ends with the closing
// boundary. Queries with @defer keep yoga's own multipart (incremental delivery) answer.
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { ExecutionResult } from 'graphql';
import { withoutHttpStatus } from './graphql-over-http.ts';

/** The boundary Apollo's own servers use; Apollo Client reads it from the Content-Type. */
const BOUNDARY = 'graphql';
/** As often as yoga's SSE pings: idle connections are closed after CONNECTION_TIMEOUT_MS. */
export const HEARTBEAT_MS = 12_000;

/** Does the client accept multipart/mixed with a subscriptionSpec parameter (Apollo's protocol)? */
export function acceptsMultipartSubscriptions(accept: string | null): boolean {
  return (accept ?? '').split(',').some((range) => {
    const [type, ...params] = range.split(';').map((part) => part.trim().toLowerCase());
    return type === 'multipart/mixed' && params.some((param) => param.startsWith('subscriptionspec='));
  });
}

/** A result without the fields yoga keeps for itself (http status and headers), as yoga's SSE sends it. */
function withoutInternals(result: ExecutionResult): ExecutionResult {
  const errors = result.errors?.map(withoutHttpStatus);
  if (!result.extensions?.http) return errors ? { ...result, errors } : result;
  const extensions: Record<string, unknown> = { ...result.extensions };
  delete extensions.http;
  return { ...result, ...(errors ? { errors } : {}), extensions: Object.keys(extensions).length ? extensions : undefined };
}

function part(body: unknown): string {
  return `\r\nContent-Type: application/json; charset=utf-8\r\n\r\n${JSON.stringify(body)}\r\n--${BOUNDARY}`;
}

function multipartSubscriptionResponse(events: AsyncIterable<ExecutionResult>, fetchAPI: { Response: typeof Response }): Response {
  const encoder = new TextEncoder();
  const iterator = events[Symbol.asyncIterator]();
  let heartbeat: NodeJS.Timeout | undefined;
  let closed = false;
  const stopHeartbeat = () => clearInterval(heartbeat);
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(`\r\n--${BOUNDARY}`));
      heartbeat = setInterval(() => {
        if (!closed) controller.enqueue(encoder.encode(part({})));
      }, HEARTBEAT_MS);
    },
    async pull(controller) {
      try {
        const next = await iterator.next();
        if (closed) return;
        if (!next.done) {
          controller.enqueue(encoder.encode(part({ payload: withoutInternals(next.value) })));
          return;
        }
        closed = true;
        stopHeartbeat();
        controller.enqueue(encoder.encode('--\r\n'));
        controller.close();
      } catch (error) {
        closed = true;
        stopHeartbeat();
        controller.error(error);
      }
    },
    async cancel() {
      closed = true;
      stopHeartbeat();
      await iterator.return?.();
    },
  });
  return new fetchAPI.Response(stream, {
    status: 200,
    headers: {
      'content-type': `multipart/mixed;boundary="${BOUNDARY}";subscriptionSpec="1.0"`,
      'cache-control': 'no-cache',
    },
  });
}

/**
 * Answers a subscription in Apollo's multipart protocol when the client asks for it. A
 * subscription refused before it started (no scope, a limit) is no stream: yoga answers it as
 * JSON, which Apollo Client accepts too (its Accept lists application/json).
 */
export function multipartSubscriptionsPlugin(): Plugin {
  return {
    onResultProcess(payload) {
      if (!isAsyncIterable(payload.result) || !acceptsMultipartSubscriptions(payload.request.headers.get('accept'))) return;
      payload.setResultProcessor(
        (events, fetchAPI) => multipartSubscriptionResponse(events as AsyncIterable<ExecutionResult>, fetchAPI),
        'multipart/mixed',
      );
    },
  };
}
