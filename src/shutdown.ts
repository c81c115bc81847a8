// What must finish before the process exits: besides in-flight HTTP requests (fastify waits
// for those), long-running work such as an import job's current step registers a hook here.
// On SIGTERM the server stops accepting, sets `stopping` (readiness turns 503, workers take
// no new step), runs every hook while in-flight requests finish, then closes the database.

export type ShutdownHook = () => Promise<void> | void;

type Log = { error(obj: object, msg: string): void };

export class ShutdownHooks {
  private readonly hooks = new Map<number, { name: string; run: ShutdownHook }>();
  private next = 0;
  private running: Promise<void> | null = null;

  /** True once shutdown has begun. */
  get stopping(): boolean {
    return this.running !== null;
  }

  /** Registers `run` to be awaited on shutdown; the returned function unregisters it. */
  register(name: string, run: ShutdownHook): () => void {
    const id = this.next++;
    this.hooks.set(id, { name, run });
    return () => {
      this.hooks.delete(id);
    };
  }

  /** Runs every hook once, concurrently; a failing hook is logged and does not stop the others. */
  run(log?: Log): Promise<void> {
    this.running ??= Promise.allSettled(
      [...this.hooks.values()].map(async ({ name, run }) => {
        try {
          await run();
        } catch (error) {
          log?.error({ err: error, hook: name }, 'shutdown hook failed');
        }
      }),
    ).then(() => undefined);
    return this.running;
  }
}
