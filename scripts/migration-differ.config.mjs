// Configuration of the pinned Prisma 6.19 CLI (devDependency `prisma-6-differ`), used only by
// scripts/migration-diff.mjs to diff the migrations against prisma/schema.prisma. Prisma 6.19 runs
// its schema engine in WebAssembly through a driver adapter (here in-memory PGlite databases),
// which Prisma 7's `migrate` commands cannot do without the native engine.
// A plain object rather than defineConfig(): `prisma/config` resolves to Prisma 7's package.
let main;

/**
 * The engine replays each migration on the shadow database as ONE parameterless executeRaw,
 * which PGlite refuses ("cannot insert multiple commands into a prepared statement"), and the
 * adapter's executeScript does not await PGlite. Such a call runs here through PGlite's exec().
 */
async function connectRunningScripts(factory, pglite) {
  const adapter = await factory.connect();
  const executeRaw = adapter.executeRaw.bind(adapter);
  adapter.executeRaw = async (query) => {
    if (query.args.length > 0) return executeRaw(query);
    await pglite.exec(query.sql);
    return 0;
  };
  return adapter;
}

export default {
  experimental: { adapter: true },
  engine: 'js',
  async adapter() {
    const { PGlite } = await import('@electric-sql/pglite');
    // The extensions migrations create (CREATE EXTENSION) must be loadable, as in src/db/embedded.ts.
    const { pg_trgm } = await import('@electric-sql/pglite/contrib/pg_trgm');
    const create = () => PGlite.create({ extensions: { pg_trgm } });
    const { PrismaPGlite } = await import('pglite-prisma-adapter-6-differ');
    // The CLI calls adapter() more than once per command: reuse one instance.
    main ??= create();
    const factory = new PrismaPGlite(await main);
    return {
      provider: factory.provider,
      adapterName: factory.adapterName,
      connect: () => factory.connect(),
      async connectToShadowDb() {
        const shadow = await create();
        return connectRunningScripts(new PrismaPGlite(shadow), shadow);
      },
    };
  },
};
