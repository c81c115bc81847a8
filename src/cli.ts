// The `customer-graph` command (package.json bin). Every command reads DATABASE_URL and
// applies pending migrations before it works.
import { Command, InvalidArgumentError } from 'commander';
import { loadConfig } from './config.ts';
import { createApp, mintToken, parseScopes } from './domain/auth.ts';
import { DomainError } from './domain/errors.ts';
import { openMigrated, serve } from './server.ts';

const program = new Command()
  .name('customer-graph')
  .description('A GraphQL gateway over one customer graph, with a REST shim for legacy clients.')
  .showHelpAfterError();

program
  .command('serve')
  .description('serve GraphQL and REST on HOST:PORT (default 127.0.0.1:4000)')
  .action(async () => {
    await serve(loadConfig());
  });

program
  .command('migrate')
  .description('apply pending migrations to DATABASE_URL')
  .option('--status', 'list pending migrations without applying them')
  .action(async (options: { status?: boolean }) => {
    const config = loadConfig();
    if (options.status) {
      const { openDatabase } = await import('./db/database.ts');
      const database = await openDatabase(config.DATABASE_URL, { command: 'migrate --status' });
      try {
        const pending = await database.pendingMigrations();
        console.log(pending.length ? `Pending migrations:\n  ${pending.join('\n  ')}` : 'Database schema is up to date.');
      } finally {
        await database.close();
      }
      return;
    }
    const database = await openMigrated(config, 'migrate', console.log);
    await database.close();
    console.log(`Database schema is up to date (${database.kind} ${database.location}).`);
  });

const app = program.command('app').description('manage client apps (appKey, secret, scopes)');

app
  .command('create')
  .description('create an app and print its appKey and secret (shown once)')
  .requiredOption('--name <name>', 'a name for the app')
  .requiredOption('--scopes <list>', 'comma-separated: customer:read, customer:write, admin', (value) => {
    const scopes = parseScopes(value);
    if (scopes.length === 0) throw new InvalidArgumentError('give at least one scope');
    return scopes;
  })
  .option('--json', 'print one JSON object {appKey, secret, token}')
  .action(async (options: { name: string; scopes: string[]; json?: boolean }) => {
    const config = loadConfig();
    const database = await openMigrated(config, 'app create');
    try {
      const created = await createApp(database.prisma, { name: options.name, scopes: options.scopes });
      if (options.json) {
        const token = await mintToken(database.prisma, created.appKey, config.TOKEN_TTL_SECONDS);
        console.log(JSON.stringify({ appKey: created.appKey, secret: created.secret, token }));
      } else {
        console.log(`appKey: ${created.appKey}\nsecret: ${created.secret}\nscopes: ${created.scopes.join(',')}`);
        console.log('The secret is shown once. Exchange both for a token: POST /openapi/auth/token {"appKey","secret"}');
      }
    } finally {
      await database.close();
    }
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  const message = error instanceof DomainError ? error.message : error instanceof Error ? error.message : String(error);
  console.error(`customer-graph: ${message}`);
  process.exit(error instanceof DomainError && error.code === 'BAD_INPUT' ? 2 : 1);
});
