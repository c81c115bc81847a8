// Runs once per `npm test`: prepares a migrated template database that every test file
// copies (embedded) or clones (PostgreSQL, when TEST_DATABASE_URL is set).
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { buildConsole } from '../../scripts/build-console.mjs';
import { openDatabase } from '../../src/db/database.ts';
import { postgresConfig } from '../../src/db/postgres.ts';
import { migratedTemplate } from '../../src/db/embedded-template.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    embeddedTemplate: string;
    postgresTemplate: string;
    runId: string;
  }
}

export default async function setup(project: TestProject) {
  // The console tests serve console/dist: built once here (when a source is newer), not per file.
  await buildConsole({ quiet: true });
  // The api and system lanes each run this setup: the project name keeps their databases apart.
  const runId = `${Date.now().toString(36)}${process.pid.toString(36)}${project.name}`;
  project.provide('runId', runId);

  if (process.env.TEST_DATABASE_URL) {
    const admin = postgresConfig(process.env.TEST_DATABASE_URL, 1);
    const template = `cg_tpl_${runId}`;
    const client = new pg.Client(admin);
    await client.connect();
    await client.query(`CREATE DATABASE ${template}`);
    const url = new URL(process.env.TEST_DATABASE_URL);
    url.pathname = `/${template}`;
    const db = await openDatabase(url.toString(), { command: 'test setup' });
    await db.migrate();
    await db.close();
    project.provide('postgresTemplate', template);
    project.provide('embeddedTemplate', '');
    return async () => {
      const { rows } = await client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1 OR datname = $2`, [
        `cg_${runId}_%`,
        template,
      ]);
      for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
      await client.end();
    };
  }

  // The embedded template is the one a first start copies (src/db/embedded-template.ts): kept
  // between runs, keyed by the migrations it holds.
  const dir = await migratedTemplate();
  project.provide('embeddedTemplate', dir);
  project.provide('postgresTemplate', '');
  return undefined;
}
