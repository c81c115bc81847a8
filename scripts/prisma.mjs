#!/usr/bin/env node
// Runs the Prisma 7 CLI (`prisma generate`) without Prisma's binary host (unreachable here; see README "Migrations").
// The CLI still looks for native engines it never uses on the driver-adapter path, so point
// those variables at an existing file, and turn off its update check.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const self = fileURLToPath(import.meta.url);
const root = join(dirname(self), '..');
const env = {
  ...process.env,
  // generators such as prisma-pothos-types are bins of installed packages
  PATH: [join(root, 'node_modules', '.bin'), process.env.PATH].join(delimiter),
  PRISMA_QUERY_ENGINE_LIBRARY: process.env.PRISMA_QUERY_ENGINE_LIBRARY ?? self,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? self,
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
  CHECKPOINT_DISABLE: '1',
  PRISMA_GENERATE_SKIP_AUTOINSTALL: '1',
};
const cli = require.resolve('prisma/build/index.js');
const result = spawnSync(process.execPath, [cli, ...process.argv.slice(2)], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
