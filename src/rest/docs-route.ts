// GET /openapi.json (the REST shim's OpenAPI document) and GET /docs (Swagger UI over it).
// Swagger UI is served from the swagger-ui-dist package on this machine: no CDN, no network;
// the Content-Security-Policy keeps the browser from loading anything from elsewhere. No
// token is needed to read the docs.
import { createReadStream } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { openApiDocument } from './openapi-document.ts';
import type { RestRoute } from './route.ts';

const swaggerDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

/** The only files of swagger-ui-dist the page uses; nothing else under /docs/assets is served. */
const assets: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

const page = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>customer-graph REST shim</title>
  <link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png">
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>
`;

// validatorUrl null: Swagger UI would otherwise send the document to validator.swagger.io.
const init = `window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
});
`;

/** Same-origin only; Swagger UI sets inline styles, and shows images from data: URLs. */
export const docsContentSecurityPolicy =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

export function registerDocs(app: FastifyInstance, routes: RestRoute[]): void {
  const document = openApiDocument(routes);
  app.get('/openapi.json', async (_req, reply) => reply.header('cache-control', 'no-cache').send(document));
  app.get('/docs', async (_req, reply) =>
    reply.header('content-type', 'text/html; charset=utf-8').header('content-security-policy', docsContentSecurityPolicy).send(page),
  );
  app.get('/docs/init.js', async (_req, reply) => reply.header('content-type', 'text/javascript; charset=utf-8').send(init));
  app.get<{ Params: { file: string } }>('/docs/assets/:file', async (req, reply) => {
    const type = assets[req.params.file];
    if (!type) return reply.code(404).send({ error: 'not found' });
    return reply
      .header('content-type', type)
      .header('cache-control', 'public, max-age=86400')
      .send(createReadStream(join(swaggerDir, req.params.file)));
  });
}
