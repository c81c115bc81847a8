#!/usr/bin/env node
// The `customer-graph` command: runs src/cli.ts through tsx, so no build step is needed.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
