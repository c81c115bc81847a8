// A GraphQL-over-SSE client for tests (graphql-yoga's default protocol: POST with
// accept: text/event-stream; "next" events carry results, "complete" ends the stream),
// reading a real HTTP response with eventsource-parser.
import { createParser } from 'eventsource-parser';

export type StreamEvent = { event: 'next'; data: { data?: any; errors?: any[] } } | { event: 'complete' };

export interface Subscription {
  status: number;
  /** The body when the server answered without a stream (e.g. HTTP 401). */
  body?: any;
  /** The next event; fails after `waitMs` (a hang guard, not a speed check). */
  next(waitMs?: number): Promise<StreamEvent>;
  /** Reads "next" events until "complete"; returns their data. */
  rest(waitMs?: number): Promise<StreamEvent[]>;
  close(): void;
}

export async function subscribe(
  baseUrl: string,
  query: string,
  variables: Record<string, unknown>,
  token: string | null,
): Promise<Subscription> {
  const abort = new AbortController();
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
    signal: abort.signal,
  });
  const events: StreamEvent[] = [];
  const waiters: Array<() => void> = [];
  let ended = false;
  const wake = () => waiters.splice(0).forEach((w) => w());
  if (!(response.headers.get('content-type') ?? '').includes('text/event-stream')) {
    const text = await response.text();
    return {
      status: response.status,
      body: text ? JSON.parse(text) : undefined,
      next: () => Promise.reject(new Error(`no stream: HTTP ${response.status} ${text}`)),
      rest: () => Promise.reject(new Error(`no stream: HTTP ${response.status} ${text}`)),
      close: () => undefined,
    };
  }
  const parser = createParser({
    onEvent: (message) => {
      if (message.event === 'next') events.push({ event: 'next', data: JSON.parse(message.data) });
      else if (message.event === 'complete') events.push({ event: 'complete' });
      wake();
    },
  });
  void (async () => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) parser.feed(decoder.decode(chunk, { stream: true }));
    } catch {
      // aborted by close()
    }
    ended = true;
    wake();
  })();

  const next = async (waitMs = 15_000): Promise<StreamEvent> => {
    const deadline = Date.now() + waitMs;
    while (events.length === 0) {
      if (ended) throw new Error('the stream ended without another event');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no event within ${waitMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return events.shift()!;
  };
  return {
    status: response.status,
    next,
    rest: async (waitMs) => {
      const seen: StreamEvent[] = [];
      for (;;) {
        const event = await next(waitMs);
        seen.push(event);
        if (event.event === 'complete') return seen;
      }
    },
    close: () => abort.abort(),
  };
}
