// Builds the migrated embedded database that a first start copies (src/db/embedded-template.ts).
// npm install runs it (postinstall), so the first `npm start` takes seconds, not 10–45 s. Never
// fails the install: without a template the first start builds it (or creates the database in
// place when the cache is not writable).
import { migratedTemplate } from '../src/db/embedded-template.ts';

const started = Date.now();
try {
  const dir = await migratedTemplate();
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`customer-graph: migrated embedded database template ready (${seconds} s): ${dir}`);
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  console.warn(`customer-graph: no migrated template built (${message}); the first start will build it.`);
}
