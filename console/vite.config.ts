// The console's build: React + TypeScript, served by the gateway under /console/.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  // esbuild compiles the JSX (tsconfig's "jsx": "react-jsx"); no Babel needed for a build.
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 800 },
  // `npx vite --config console/vite.config.ts` during development: GraphQL goes to a running gateway.
  server: { proxy: { '/graphql': 'http://127.0.0.1:4000', '/openapi': 'http://127.0.0.1:4000' } },
});
