// Cancelling the SQL of a request whose client went away. Work run by `cancellableBy(signal, …)`
// checks its connections out of the pool under that signal (AsyncLocalStorage follows it
// through Prisma and the adapter into pg-pool); when the signal aborts, each connection it
// holds gets PostgreSQL's pg_cancel_backend, and further check-outs are refused. Without this
// a query ran on for its whole statement timeout after its client had gone (issue 13, item 6).
import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';

interface Scope {
  signal: AbortSignal;
}

const scopes = new AsyncLocalStorage<Scope>();

function isRollback(query: unknown): boolean {
  const text = typeof query === 'string' ? query : (query as { text?: unknown } | null)?.text;
  return typeof text === 'string' && /^\s*ROLLBACK\b/i.test(text);
}

/** Raised instead of a connection when the work's signal has already aborted. */
export class WorkAborted extends Error {
  constructor() {
    super('the request was abandoned by its client; its database work was cancelled');
    this.name = 'WorkAborted';
  }
}

/** Runs `work` so that the statements it sends through a CancellablePool end when `signal` aborts. */
export function cancellableBy<T>(signal: AbortSignal, work: () => T): T {
  return scopes.run({ signal }, work);
}

/**
 * A pg.Pool whose connections know the cancellable work that checked them out. A connection
 * whose statement was cancelled is closed on release, never handed to other work: a cancel
 * that arrives late must not hit a statement of someone else.
 */
export class CancellablePool extends pg.Pool {
  // pg-pool's own query() calls connect() synchronously, so one override covers both paths.
  override connect(): Promise<pg.PoolClient>;
  override connect(callback: (err: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => void): void;
  override connect(callback?: (err: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => void) {
    const scope = scopes.getStore();
    if (!scope) {
      if (!callback) return super.connect();
      super.connect(callback);
      return;
    }
    if (scope.signal.aborted) {
      if (!callback) return Promise.reject(new WorkAborted());
      queueMicrotask(() => callback(new WorkAborted(), undefined, () => undefined));
      return undefined;
    }
    if (!callback) return super.connect().then((client) => this.enter(scope, client));
    super.connect((err, client, done) => {
      if (err || !client) {
        callback(err, client, done);
        return;
      }
      try {
        const entered = this.enter(scope, client);
        callback(undefined, entered, (release) => entered.release(release as Error | boolean | undefined));
      } catch (error) {
        callback(error as Error, undefined, () => undefined);
      }
    });
    return undefined;
  }

  /**
   * Registers the connection with its scope until released; refuses it if the scope aborted
   * meanwhile. Once aborted, its running statement is cancelled and further statements on it
   * (a transaction's next one) are refused, except the ROLLBACK that ends the transaction.
   */
  private enter(scope: Scope, client: pg.PoolClient): pg.PoolClient {
    if (scope.signal.aborted) {
      client.release();
      throw new WorkAborted();
    }
    // Kept to be put back on release and called with .call/.apply on the same client.
    // eslint-disable-next-line @typescript-eslint/unbound-method
    const { release, query } = client;
    let cancelSent = false;
    const onAbort = () => {
      cancelSent = true;
      this.cancelStatement((client as unknown as { processID?: number }).processID);
    };
    scope.signal.addEventListener('abort', onAbort, { once: true });
    client.query = ((...args: unknown[]) => {
      if (!scope.signal.aborted || isRollback(args[0])) return (query as (...a: unknown[]) => unknown).apply(client, args);
      const callback = args.find((arg) => typeof arg === 'function') as ((error: Error) => void) | undefined;
      if (!callback) return Promise.reject(new WorkAborted());
      queueMicrotask(() => callback(new WorkAborted()));
      return undefined;
    }) as typeof client.query;
    client.release = (err?: Error | boolean) => {
      scope.signal.removeEventListener('abort', onAbort);
      client.release = release;
      client.query = query;
      // A cancelled connection is closed, not reused (see the class comment).
      release.call(client, cancelSent ? true : err);
    };
    return client;
  }

  /**
   * pg_cancel_backend over a connection of its own: the pool may be full (that is when it
   * matters most). At most one per held connection, so their number is bounded by the pool's.
   * If it fails (PostgreSQL unreachable) the statement ends at DATABASE_STATEMENT_TIMEOUT_MS.
   */
  private cancelStatement(processId: number | undefined): void {
    if (!processId) return;
    const { statement_timeout: _none, ...options } = this.options as pg.PoolConfig;
    const side = new pg.Client({ ...options, statement_timeout: 5_000 });
    const ignore = () => undefined;
    side.on('error', ignore);
    side
      .connect()
      .then(() => side.query('SELECT pg_cancel_backend($1)', [processId]))
      .catch(ignore)
      .finally(() => void side.end().catch(ignore));
  }
}
