#!/usr/bin/env node
// The `customer-graph` command: runs src/cli.ts through tsx, so no build step is needed.
import { register as registerLoader } from 'node:module';
import { register } from 'tsx/esm/api';

register();
// Tracing, when configured, must start before fastify and pg load (src/tracing.ts). pg is
// imported from ES modules, which only the import-in-the-middle loader hook can instrument.
if (process.argv[2] === 'serve') {
  const { startTracing, tracingConfigured } = await import('../src/tracing.ts');
  if (tracingConfigured()) {
    registerLoader('@opentelemetry/instrumentation/hook.mjs', import.meta.url, { data: { include: ['pg'] } });
    await startTracing();
  }
}
await import('../src/cli.ts');
