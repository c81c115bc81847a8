// The SQL that takes a database from prisma/migrations to prisma/schema.prisma, or null when
// they already agree. Computed by the pinned Prisma 6.19 CLI (devDependency `prisma-6-differ`,
// an npm alias of prisma@6.19.3), whose schema engine runs in WebAssembly: every `migrate`
// command of Prisma 7, which the application runs, wants the native schema engine from Prisma's
// binary host. Used by `npm run migration:new` and by test/migrations.test.ts.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const require = createRequire(import.meta.url);
const self = fileURLToPath(import.meta.url);
export const root = join(dirname(self), '..');

/** Prisma 6.19 refuses a datasource without `url` (P1012); Prisma 7 refuses one with it. */
function schemaWithUrl(schema) {
  const withUrl = schema.replace(/datasource db \{([^}]*)\}/, (block, body) => `datasource db {${body}  url = env("DATABASE_URL")\n}`);
  if (withUrl === schema) throw new Error('prisma/schema.prisma: no `datasource db { … }` block found');
  return withUrl;
}

/**
 * The indexes prisma/schema.prisma declares as raw-only (`// raw-only index "NAME"` inside a
 * model): partial and expression indexes, which Prisma's schema cannot express and its differ
 * does not see. A migration creates each; test/api/migrations.test.ts checks that the migrated
 * database's indexes with a predicate or an expression are exactly these.
 */
export function rawOnlyIndexes(schema = join(root, 'prisma/schema.prisma')) {
  return [...readFileSync(schema, 'utf8').matchAll(/^\s*\/\/ raw-only index "([^"]+)"/gm)].map((m) => m[1]).sort();
}

/**
 * Asynchronous on purpose: the differ runs for tens of seconds, and a test worker blocked that
 * long in a synchronous child process cannot answer its runner (vitest's 60 s RPC timeout).
 */
export async function diffMigrationsToSchema({
  migrations = join(root, 'prisma/migrations'),
  schema = join(root, 'prisma/schema.prisma'),
} = {}) {
  const scratch = mkdtempSync(join(tmpdir(), 'cg-migration-diff-'));
  try {
    const schemaCopy = join(scratch, 'schema.prisma');
    writeFileSync(schemaCopy, schemaWithUrl(readFileSync(schema, 'utf8')));
    const cli = require.resolve('prisma-6-differ/build/index.js');
    const args = [
      cli,
      'migrate',
      'diff',
      '--config',
      join(root, 'scripts/migration-differ.config.mjs'),
      '--from-migrations',
      migrations,
      '--to-schema-datamodel',
      schemaCopy,
      '--script',
    ];
    let stdout;
    try {
      ({ stdout } = await promisify(execFile)(process.execPath, args, {
        cwd: root,
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
        env: {
          ...process.env,
          // never used on the driver-adapter path, but the CLI looks for them: any existing file
          PRISMA_QUERY_ENGINE_LIBRARY: self,
          PRISMA_SCHEMA_ENGINE_BINARY: self,
          PRISMA_HIDE_UPDATE_MESSAGE: '1',
          CHECKPOINT_DISABLE: '1',
          DATABASE_URL: 'postgresql://unused@localhost/unused',
        },
      }));
    } catch (error) {
      throw new Error(`prisma 6.19 migrate diff failed:\n${error.stderr ?? ''}${error.stdout ?? error.message}`, { cause: error });
    }
    const sql = stdout.trim();
    return !sql || /^-- This is an empty migration\.?$/.test(sql) ? null : sql;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
