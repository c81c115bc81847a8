// Every subscription field's stream is bounded by its caller (a Pothos plugin, so a new
// subscription inherits it): it completes when the token it was opened with expires (a timer)
// or is found revoked (checked before each event is sent: a revoked token sees no further
// event), and one app holds at most SUBSCRIPTIONS_PER_APP open streams on one instance.
import SchemaBuilder, { BasePlugin, type SchemaTypes } from '@pothos/core';
import type { GraphQLFieldResolver } from 'graphql';
import { Repeater } from 'graphql-yoga';
import type { Context } from '../context.ts';
import type { Caller } from '../domain/auth.ts';
import { DomainError } from '../domain/errors.ts';

/** Open streams per app id, in this process. */
const openByApp = new Map<number, number>();

function count(appId: number, delta: number): void {
  const n = (openByApp.get(appId) ?? 0) + delta;
  if (n > 0) openByApp.set(appId, n);
  else openByApp.delete(appId);
}

/** setTimeout's longest delay (about 24.8 days); a token living longer is re-armed then. */
const MAX_DELAY = 2 ** 31 - 1;

function bounded<T>(source: AsyncIterable<T>, caller: Caller, context: Context): AsyncIterableIterator<T> {
  return new Repeater<T>(async (push, stop) => {
    // Counted from the first read: a stream no one reads (a refused Accept) holds no slot.
    count(caller.appId, 1);
    const iterator = source[Symbol.asyncIterator]();
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      const left = caller.tokenExpiresAt.getTime() - Date.now();
      timer = left <= 0 ? undefined : setTimeout(left > MAX_DELAY ? arm : stop, Math.min(left, MAX_DELAY));
      if (left <= 0) stop();
    };
    arm();
    void stop.then(() => {
      clearTimeout(timer);
      count(caller.appId, -1);
      void iterator.return?.();
    });
    try {
      for (;;) {
        const next = await Promise.race([iterator.next(), stop.then(() => null)]);
        if (!next || next.done) break;
        const still = await context.services.tokens.verifyDigest(caller.tokenHash);
        if (!still) break;
        await push(next.value);
      }
    } finally {
      stop();
    }
  });
}

export class SubscriptionPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  static readonly pluginName = 'subscriptionLifetime' as const;

  override wrapSubscribe(
    subscribe: GraphQLFieldResolver<unknown, Types['Context'], object> | undefined,
  ): GraphQLFieldResolver<unknown, Types['Context'], object> | undefined {
    if (!subscribe) return subscribe;
    return async (parent, args, ctx, info) => {
      const context = ctx as Context;
      const caller = context.caller;
      if (!caller) throw new DomainError('UNAUTHENTICATED', 'a subscription needs a token');
      const limit = context.services.config.SUBSCRIPTIONS_PER_APP;
      if ((openByApp.get(caller.appId) ?? 0) >= limit) {
        throw new DomainError(
          'RATE_LIMITED',
          `too many open subscriptions: this app already holds ${limit} on this instance (SUBSCRIPTIONS_PER_APP=${limit}); close one first`,
        );
      }
      const source = (await subscribe(parent, args, ctx, info)) as AsyncIterable<unknown>;
      return bounded(source, caller, context);
    };
  }
}

SchemaBuilder.registerPlugin(SubscriptionPlugin.pluginName, SubscriptionPlugin);

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- Pothos plugins register in this global namespace
  export namespace PothosSchemaTypes {
    export interface Plugins<Types extends SchemaTypes> {
      subscriptionLifetime: SubscriptionPlugin<Types>;
    }
  }
}
