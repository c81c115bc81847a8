// Live-update notifications behind the GraphQL subscriptions: graphql-yoga's createPubSub, in
// this process by default, over Redis pub/sub (@graphql-yoga/redis-event-target) when
// REDIS_URL is set so that a write through one instance reaches subscribers on every instance.
//
// Events are notifications, not state: at most once, no replay, ordered per publisher only.
// Subscribers re-read what they need (the subscription resolvers do it for them).
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { createPubSub, Repeater } from 'graphql-yoga';
import { Redis } from 'ioredis';
import type { Config } from './config.ts';
import type { ChangeSet } from './domain/changes.ts';
import { gauge } from './metrics.ts';

export const CUSTOMER_CHANGE_KINDS = ['CREATED', 'UPDATED', 'DELETED', 'MERGED', 'ERASED'] as const;
export type CustomerChangeKind = (typeof CUSTOMER_CHANGE_KINDS)[number];

/** A customer was written. `at` is an ISO time: payloads cross Redis as JSON. */
export interface CustomerChangeEvent {
  customerId: number;
  kind: CustomerChangeKind;
  /** The survivor, when kind is MERGED. */
  mergedInto: number | null;
  at: string;
}

export interface ImportJobProgressEvent {
  jobId: number;
}

export type SubscriptionName = 'customerChanged' | 'importJobProgress';

const openSubscriptions = gauge({
  name: 'customer_graph_subscriptions_open',
  help: 'GraphQL subscriptions currently open in this process, by subscription',
  labelNames: ['subscription'],
});

type Log = { warn(obj: object, msg: string): void };

export interface LivePubSub {
  /** "redis" when events cross instances, "memory" otherwise. */
  readonly transport: 'memory' | 'redis';
  publishCustomerChanged(event: Omit<CustomerChangeEvent, 'at'>): void;
  publishImportJobProgress(jobId: number): void;
  /**
   * Events of one customer or one job, from the first next() call on: that call registers the
   * listener (on Redis, SUBSCRIBE is then sent; it takes effect when Redis confirms it). The
   * iterable ends when the pub/sub closes (shutdown), so open streams do not hold the server open.
   */
  subscribe(name: 'customerChanged', id: number): AsyncIterableIterator<CustomerChangeEvent>;
  subscribe(name: 'importJobProgress', id: number): AsyncIterableIterator<ImportJobProgressEvent>;
  /** The Redis channel an event of this subscription and id travels on (tests wait on it). */
  channel(name: SubscriptionName, id: number): string;
  /** Streams of this subscription and id that have started listening in this process. */
  listening(name: SubscriptionName, id: number): number;
  /** Tells every instance that a token or an app was revoked (each empties its token cache). */
  publishRevocation(): void;
  /** Calls `listener` on each revocation published by any instance, until close(). */
  onRevocation(listener: () => void): void;
  close(): Promise<void>;
}

/** The function the import worker's progress callback is wired to. */
export function publishImportJobProgress(pubsub: LivePubSub, jobId: number): void {
  pubsub.publishImportJobProgress(jobId);
}

/**
 * The event target calls publish/subscribe/unsubscribe without handling their promises: while
 * Redis is away those reject, and an unhandled rejection would end the process. Log instead.
 */
function catching(client: Redis, log: Log): Redis {
  const fallible = new Set<PropertyKey>(['publish', 'subscribe', 'unsubscribe']);
  return new Proxy(client, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      if (!fallible.has(property)) return value.bind(target) as unknown;
      return (...args: unknown[]) =>
        (value.apply(target, args) as Promise<unknown>).catch((error: unknown) =>
          log.warn({ err: error }, `Redis ${String(property)} failed: a live update was lost`),
        );
    },
  });
}

export function createLivePubSub(config: Config, log: Log): LivePubSub {
  // Topics carry the key prefix, so instances of another deployment (or a parallel test run)
  // on the same Redis do not hear these events.
  const prefix = `${config.REDIS_KEY_PREFIX}:live`;
  const topic = (name: SubscriptionName) => `${prefix}:${name}`;
  const { clients, eventTarget } = config.REDIS_URL ? redisTransport(config.REDIS_URL, log) : { clients: [], eventTarget: undefined };
  const pubsub = createPubSub<Record<string, [number, CustomerChangeEvent | ImportJobProgressEvent]>>(
    eventTarget ? { eventTarget } : undefined,
  );

  // Every open stream, ended on close(), and how many listen on each channel.
  const open = new Set<() => Promise<unknown>>();
  const perChannel = new Map<string, number>();
  let closed = false;
  const streams: OpenStreams = {
    open,
    count: (channel, delta) => {
      const n = (perChannel.get(channel) ?? 0) + delta;
      if (n > 0) perChannel.set(channel, n);
      else perChannel.delete(channel);
    },
    closed: () => closed,
  };
  const subscribe = (name: SubscriptionName, id: number) =>
    trackedStream(pubsub.subscribe(topic(name), id)[Symbol.asyncIterator](), name, `${topic(name)}:${id}`, streams);

  return {
    transport: eventTarget ? 'redis' : 'memory',
    publishCustomerChanged: (event) => {
      if (closed) return;
      pubsub.publish(topic('customerChanged'), event.customerId, { ...event, at: new Date().toISOString() });
    },
    publishImportJobProgress: (jobId) => {
      if (closed) return;
      pubsub.publish(topic('importJobProgress'), jobId, { jobId });
    },
    publishRevocation: () => {
      if (!closed) pubsub.publish(`${prefix}:revocations`, 0, { jobId: 0 });
    },
    onRevocation: (listener) => {
      const revocations = pubsub.subscribe(`${prefix}:revocations`, 0)[Symbol.asyncIterator]();
      const end = async () => revocations.return?.();
      open.add(end);
      void (async () => {
        while (!(await revocations.next()).done) listener();
      })();
    },
    subscribe: subscribe as LivePubSub['subscribe'],
    channel: (name, id) => `${topic(name)}:${id}`,
    listening: (name, id) => perChannel.get(`${topic(name)}:${id}`) ?? 0,
    close: async () => {
      closed = true;
      await Promise.all([...open].map((end) => end()));
      // quit() would wait for a connection that may never come back.
      await Promise.all(
        clients.map(async (client) => {
          if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
          else client.disconnect();
        }),
      );
    },
  };
}

/** Two ioredis connections (a subscribed one can only (un)subscribe) and the event target over them. */
function redisTransport(url: string, log: Log) {
  const publishClient = new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 2000 });
  const subscribeClient = new Redis(url, { connectTimeout: 2000 });
  const clients = [publishClient, subscribeClient];
  let warned = false;
  for (const client of clients) {
    client.on('error', (error: Error) => {
      if (!warned) log.warn({ err: error }, 'Redis unavailable: live updates are lost until it is back');
      warned = true;
    });
    client.on('ready', () => {
      warned = false;
    });
  }
  const eventTarget = createRedisEventTarget({
    publishClient: catching(publishClient, log),
    subscribeClient: catching(subscribeClient, log),
  });
  return { clients, eventTarget };
}

/** What the streams of one pub/sub share: the open ones (ended on close) and listeners per channel. */
interface OpenStreams {
  open: Set<() => Promise<unknown>>;
  count(channel: string, delta: number): void;
  closed(): boolean;
}

type Event = CustomerChangeEvent | ImportJobProgressEvent;

/**
 * A subscription's stream, counted while open. createPubSub registers its listener on the first
 * next(), and so does this: a stream no one reads (yoga answering 406 to a client that does not
 * accept one) registers nothing.
 */
function trackedStream(
  source: AsyncIterator<Event>,
  name: SubscriptionName,
  channel: string,
  streams: OpenStreams,
): AsyncIterableIterator<Event> {
  let started = false;
  let finished = false;
  const finish = async (): Promise<IteratorResult<Event>> => {
    if (!finished) {
      finished = true;
      if (started) {
        streams.open.delete(finish);
        openSubscriptions.dec({ subscription: name });
        streams.count(channel, -1);
      }
    }
    // Ends the source: a pending next() resolves as done.
    await source.return?.();
    return { done: true, value: undefined };
  };
  return {
    next: async () => {
      if (finished) return { done: true, value: undefined };
      if (!started) {
        started = true;
        streams.open.add(finish);
        openSubscriptions.inc({ subscription: name });
        streams.count(channel, 1);
        if (streams.closed()) return finish();
      }
      const result = await source.next();
      if (result.done) await finish();
      return result;
    },
    return: finish,
    throw: async (error: unknown) => {
      await finish();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/**
 * The events of `source` up to and including the first for which `last` holds, then done.
 * A Repeater rather than an async generator: a generator waiting for the next event could not
 * be returned (a client disconnecting) until another event came.
 */
export function takeThrough<T>(source: AsyncIterableIterator<T>, last: (value: T) => boolean): AsyncIterableIterator<T> {
  return new Repeater<T>(async (push, stop) => {
    void stop.then(() => source.return?.());
    for (;;) {
      const next = await source.next();
      if (next.done) break;
      await push(next.value);
      if (last(next.value)) break;
    }
    stop();
  });
}

/** Announces that these customers were written (after the write's transaction committed). */
function publishCustomerChanges(
  pubsub: LivePubSub,
  kind: CustomerChangeKind,
  customerIds: Iterable<number | null | undefined>,
  mergedInto: number | null = null,
): void {
  for (const customerId of new Set(customerIds)) {
    if (customerId) pubsub.publishCustomerChanged({ customerId, kind, mergedInto });
  }
}

/**
 * Publishes what a mutation changed, once it returned (its transaction committed): called by
 * the write scope (src/schema/write-plugin.ts) with the changes the domain reported.
 */
export function publishChanges(pubsub: LivePubSub, changes: ChangeSet): void {
  publishCustomerChanges(pubsub, 'CREATED', changes.created ?? []);
  publishCustomerChanges(pubsub, 'UPDATED', changes.updated ?? []);
  for (const merge of changes.merged ?? []) publishCustomerChanges(pubsub, 'MERGED', merge.ids, merge.into);
  publishCustomerChanges(pubsub, 'DELETED', changes.deleted ?? []);
  publishCustomerChanges(pubsub, 'ERASED', changes.erased ?? []);
}
