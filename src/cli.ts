// The `customer-graph` command (package.json bin). Every command reads DATABASE_URL and
// applies pending migrations before it works.
import { createRequire } from 'node:module';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { loadConfig } from './config.ts';
import { registerAppCommands } from './cli/apps.ts';
import { parseScopes } from './domain/auth.ts';
import { DomainError } from './domain/errors.ts';
import { runWhereTheDatabaseIs } from './cli/dispatch.ts';
import type { ImportRequestOptions } from './cli/commands.ts';
import { openMigrated, serve } from './server.ts';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

// Bad arguments exit 2 (README "CLI"); exitOverride is set before the commands, which inherit it.
const program = new Command()
  .name('customer-graph')
  .description('A GraphQL gateway over one customer graph, with a REST shim for legacy clients.')
  .version(version, '-V, --version', 'print the version')
  .exitOverride()
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
    if (options.status) return runWhereTheDatabaseIs({ command: 'migrate --status' });
    const config = loadConfig();
    const database = await openMigrated(config, 'migrate', console.log);
    await database.close();
    console.log(`Database schema is up to date (${database.kind} ${database.location}).`);
  });

const app = program.command('app').description('manage client apps (appKey, secret, scopes)');
registerAppCommands(program, app);

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
  .action((options: { name: string; scopes: string[]; json?: boolean }) =>
    runWhereTheDatabaseIs({ command: 'app create', name: options.name, scopes: options.scopes, json: options.json === true }),
  );

const integerOption = (name: string, min: number, allowed?: number[]) => (value: string) => {
  const number = Number(value);
  if (!Number.isInteger(number) || number < min || (allowed && !allowed.includes(number))) {
    throw new InvalidArgumentError(allowed ? `${name} must be ${allowed.join(' or ')}` : `${name} must be a whole number ≥ ${min}`);
  }
  return number;
};

/** The import options as commander parses them: the request's, with the report path optional. */
type ImportCommandOptions = Omit<ImportRequestOptions, 'errors'> & { errors?: string; progressInterval: number };

/** Runs an import of `file` and prints its summary; sets the exit code from the job's status. */
async function runImport(file: string, options: ImportCommandOptions): Promise<void> {
  const { importRequest } = await import('./cli/commands.ts');
  const { progressInterval, ...rest } = options;
  await runWhereTheDatabaseIs(importRequest(file, rest), progressInterval);
}

program
  .command('import')
  .description('bulk import customers (seed 004 profile rows) from a CSV or JSON Lines file, resumable')
  .argument('<file>', 'a .csv file (header row of field names) or a .jsonl file (one row object per line)')
  .option('--format <format>', 'csv or jsonl (default: from the file extension)')
  .option('--no-matching', 'create a new customer for every row (isMatching false)')
  .option(
    '--matching-type <n>',
    'matching: 1 exact (by identityType/identityId), 2 fuzzy (identify-way order)',
    integerOption('--matching-type', 1, [1, 2]),
    2,
  )
  .option(
    '--identify-way <n>',
    'fuzzy order: 1 unionid>openid>phone>customerId, 2 phone>unionid>openid>customerId',
    integerOption('--identify-way', 1, [1, 2]),
    1,
  )
  .option(
    '--mode <n>',
    'importMode: 1 all or nothing (the whole file is checked first), 2 keep the valid rows',
    integerOption('--mode', 1, [1, 2]),
    2,
  )
  .option('--chunk-size <n>', 'rows per transaction', integerOption('--chunk-size', 1), 1000)
  .option('--errors <file>', 'where to write the error report (default: FILE without extension + .errors.csv)')
  .option(
    '--progress-interval <seconds>',
    'seconds between progress lines when stderr is not a terminal',
    (value) => {
      const seconds = Number(value);
      if (!(seconds > 0)) throw new InvalidArgumentError('--progress-interval must be a positive number of seconds');
      return seconds;
    },
    2,
  )
  .action(async (file: string, options: ImportCommandOptions) => {
    try {
      await runImport(file, options);
    } catch (error) {
      // import's exit codes: 2 means PARTIAL, so every error (bad file, bad options) is 1.
      console.error(`customer-graph: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    }
  });

program
  .command('seed')
  .description('generate realistic test customers (seed 004 rows, ~20% overlapping earlier ones); import them, or write them with --out')
  .requiredOption('--customers <n>', 'number of rows', integerOption('--customers', 1))
  .option(
    '--overlap <share>',
    'share of rows that describe a person of an earlier row (0…0.9)',
    (value) => {
      const share = Number(value);
      if (!(share >= 0 && share <= 0.9)) throw new InvalidArgumentError('--overlap must be between 0 and 0.9');
      return share;
    },
    0.2,
  )
  .option('--seed <n>', 'seed of the generator: the same seed gives the same rows', integerOption('--seed', 0), 1)
  .option('--out <file>', 'write a .csv or .jsonl file instead of importing into DATABASE_URL')
  .action(async (options: { customers: number; overlap: number; seed: number; out?: string }) => {
    const { generateProfileRows } = await import('./test-data/customers.ts');
    const { writeRowsFile } = await import('./test-data/write-file.ts');
    const { formatOf } = await import('./cli/row-files.ts');
    const rows = generateProfileRows({ customers: options.customers, overlap: options.overlap, seed: options.seed });
    if (options.out) {
      const count = await writeRowsFile(options.out, formatOf(options.out), rows);
      console.log(`Wrote ${count} rows to ${options.out} (seed ${options.seed}, overlap ${options.overlap}).`);
      return;
    }
    // Imported through the same path as `import FILE` (a temporary file): progress, resume, report.
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const dir = mkdtempSync(path.join(tmpdir(), 'customer-graph-seed-'));
    try {
      const file = path.join(dir, `seed-${options.seed}-${options.customers}.jsonl`);
      await writeRowsFile(file, 'jsonl', rows);
      await runImport(file, {
        matching: true,
        matchingType: 2,
        identifyWay: 1,
        mode: 2,
        chunkSize: 1000,
        progressInterval: 2,
        errors: path.join(process.cwd(), 'seed.errors.csv'),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  // Commander has printed its message (usage errors) or the help/version asked for. Bad
  // arguments exit 2, except for import and seed, whose 2 means PARTIAL (README "Exit codes").
  if (error instanceof CommanderError) {
    if (['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(error.code)) process.exit(0);
    process.exit(['import', 'seed'].includes(process.argv[2]) ? 1 : 2);
  }
  const message = error instanceof DomainError ? error.message : error instanceof Error ? error.message : String(error);
  console.error(`customer-graph: ${message}`);
  process.exit(error instanceof DomainError && error.code === 'BAD_INPUT' ? 2 : 1);
});
