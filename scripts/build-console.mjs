#!/usr/bin/env node
// Builds the console (console/ → console/dist) with vite. npm install runs it (postinstall), so
// `npm install && npm start` serves the console; `npm run build:console` rebuilds it.
// Skips when the build is newer than every source (the console's and the server modules it bundles) (pass --force to rebuild anyway), and when
// vite is not installed (npm install --omit=dev): the gateway then says the console is not built.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const consoleDir = join(root, 'console');
const builtPage = join(consoleDir, 'dist', 'index.html');
/** Server modules the console bundles (pure ones: the import file format). */
const sharedSources = [join(root, 'src', 'domain', 'imports', 'file-format.ts')];

/** The newest modification time under the console's sources (its dist excluded). */
function newestSource(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(
    0,
    ...readdirSync(path)
      .filter((name) => name !== 'dist')
      .map((name) => newestSource(join(path, name))),
  );
}

export function consoleIsStale() {
  const newest = Math.max(newestSource(consoleDir), ...sharedSources.map(newestSource));
  return !existsSync(builtPage) || statSync(builtPage).mtimeMs < newest;
}

let building;

/** One build at a time in a process (the test lanes' setups may ask together). */
export function buildConsole(options = {}) {
  building ??= build(options).finally(() => {
    building = undefined;
  });
  return building;
}

async function build({ force = false, quiet = false }) {
  if (!force && !consoleIsStale()) return 'up to date';
  try {
    createRequire(import.meta.url).resolve('vite');
  } catch {
    console.error('console: vite is not installed (npm install --omit=dev?); /console will say it is not built.');
    return 'skipped';
  }
  const vite = await import('vite');
  await vite.build({ configFile: join(consoleDir, 'vite.config.ts'), logLevel: quiet ? 'warn' : 'info' });
  return 'built';
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const outcome = await buildConsole({ force: process.argv.includes('--force') });
  if (outcome === 'up to date') console.error('console: console/dist is up to date');
}
