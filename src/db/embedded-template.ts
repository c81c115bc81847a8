// A migrated embedded database to copy on a first start. PGlite's initdb and the migrations take
// 10–45 s on a busy machine; copying a migrated directory takes well under a second. The template
// is built once (by `npm install`'s postinstall, or else by the first start that needs it) in
// node_modules/.cache/customer-graph/, keyed by PGlite's version and every migration's checksum,
// so a copied template is never stale: any change to a migration or to PGlite builds a new one.
// Tests copy the same template for each file (test/support/global-setup.ts).
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { embeddedMigrationTarget, newPGlite } from './embedded.ts';
import { LOCK_FILE } from './lock.ts';
import { migrate, readMigrations, type Migration } from './migrator.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
/** Where templates live; EMBEDDED_TEMPLATE_DIR moves it (e.g. a read-only install). */
const cacheDir = () => process.env.EMBEDDED_TEMPLATE_DIR ?? join(root, 'node_modules', '.cache', 'customer-graph');

/** PGlite's version: a data directory is only read by the PostgreSQL build that wrote it. */
function pgliteVersion(): string {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  // …/node_modules/@electric-sql/pglite/dist/index.cjs → its package.json
  const manifest = join(entry.slice(0, entry.lastIndexOf('/dist/')), 'package.json');
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

/** The template's key: PGlite's version and the migrations' checksums, in order. */
export function templateKey(migrations: Migration[] = readMigrations()): string {
  const checksums = migrations.map((m) => `${m.name}:${m.checksum}`);
  return createHash('sha256')
    .update([pgliteVersion(), ...checksums].join(','))
    .digest('hex')
    .slice(0, 16);
}

/** The migrated template's directory for the current migrations, built when missing. */
export async function migratedTemplate(): Promise<string> {
  const dir = join(cacheDir(), `embedded-${templateKey()}`);
  if (existsSync(join(dir, 'PG_VERSION'))) return dir;
  // Built aside and renamed into place, so that a reader never sees half a template, and two
  // processes building at once both end with a complete one.
  const building = `${dir}.building-${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  mkdirSync(building, { recursive: true });
  try {
    const pglite = await newPGlite(building);
    await migrate(embeddedMigrationTarget(pglite));
    await pglite.close();
    try {
      renameSync(building, dir);
    } catch (error) {
      // Another process put its template there first: as good as ours.
      if (!existsSync(join(dir, 'PG_VERSION'))) throw error;
    }
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
  pruneOtherTemplates(dir);
  return dir;
}

/** Templates of other migration sets (40 MB each) go when a new one is built. */
function pruneOtherTemplates(keep: string): void {
  for (const name of readdirSync(dirname(keep))) {
    const path = join(dirname(keep), name);
    if (/^embedded-[0-9a-f]{16}$/.test(name) && path !== keep) rmSync(path, { recursive: true, force: true });
  }
}

/**
 * Fills the new, empty database directory `dir` (locked by the caller) with a copy of the
 * migrated template. False when no template can be had (the cache is not writable, say): the
 * caller then creates the database in place, as before.
 */
export async function copyMigratedTemplate(dir: string): Promise<boolean> {
  let template: string;
  try {
    template = await migratedTemplate();
  } catch {
    return false;
  }
  // The caller's lock file stays: it is the lock this process holds.
  cpSync(template, dir, { recursive: true, filter: (source) => basename(source) !== LOCK_FILE });
  return true;
}
