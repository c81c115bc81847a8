// GET /console: the customer console, a React app built by vite into console/dist (npm install
// builds it; `npm run build:console` rebuilds it). It speaks only the public GraphQL API with
// the token the person signs in with. Served like /docs: every file from this machine, the
// Content-Security-Policy lets the page load nothing from elsewhere and run no inline script.
// In development on loopback the page carries the development token (as GraphiQL does), so it
// is never handed to another site, framed or cached.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { crossSiteRequest, protectGraphiQLPage } from './cors.ts';

export const consoleDist = fileURLToPath(new URL('../../console/dist/', import.meta.url));

/** Same origin only; no inline script or style (React sets styles through the DOM, which CSP allows). */
export const consoleContentSecurityPolicy =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const contentTypes: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

const notBuilt = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>customer console</title></head>
<body><p>The console is not built. Run <code>npm run build:console</code> (npm install does it when vite is installed) and reload.</p></body></html>
`;

export interface ConsoleOptions {
  /** Pre-fills the sign-in (development, embedded database, loopback only), as GraphiQL's headers. */
  developmentToken?: string;
}

/** GraphiQL's protection (never framed, cached or handed to another origin), with the console's own CSP. */
function pageHeaders(reply: FastifyReply): FastifyReply {
  protectGraphiQLPage(reply);
  return reply
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', consoleContentSecurityPolicy)
    .header('x-content-type-options', 'nosniff');
}

/** The built page, with the development token in a meta tag the app reads (no inline script). */
function renderPage(options: ConsoleOptions): string | undefined {
  const index = join(consoleDist, 'index.html');
  if (!existsSync(index)) return undefined;
  const html = readFileSync(index, 'utf8');
  if (!options.developmentToken) return html;
  const token = options.developmentToken.replace(/[^\w-]/g, '');
  return html.replace('</head>', `  <meta name="cg-development-token" content="${token}">\n</head>`);
}

/** The built files by name (vite's hashed assets and the icon); nothing else is ever read from disk. */
function builtFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const dir of ['', 'assets']) {
    const path = join(consoleDist, dir);
    if (!existsSync(path)) continue;
    for (const name of readdirSync(path)) {
      if (contentTypes[extname(name)]) files.set(dir ? `${dir}/${name}` : name, join(path, name));
    }
  }
  return files;
}

export function registerConsole(app: FastifyInstance, options: ConsoleOptions): void {
  // Read once; while the console is not built yet, looked for again on each visit.
  let page = renderPage(options);
  let files = builtFiles();
  const servePage = async (req: FastifyRequest, reply: FastifyReply) => {
    pageHeaders(reply);
    if (crossSiteRequest(req)) return reply.code(403).send('<!doctype html><p>The console is not served to other sites.</p>\n');
    if (!page) {
      page = renderPage(options);
      files = builtFiles();
    }
    return reply.code(page ? 200 : 503).send(page ?? notBuilt);
  };
  app.get('/console', async (_req, reply) => reply.redirect('/console/', 302));
  app.get('/console/', servePage);
  app.get<{ Params: { '*': string } }>('/console/*', async (req, reply) => {
    const path = files.get(req.params['*']);
    if (!path) return reply.code(404).send({ errors: [{ message: 'not found', extensions: { code: 'NOT_FOUND' } }] });
    return reply
      .header('content-type', contentTypes[extname(path)])
      .header('x-content-type-options', 'nosniff')
      .header('cross-origin-resource-policy', 'same-origin')
      .header('cache-control', req.params['*'].startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'public, max-age=3600')
      .send(readFileSync(path));
  });
}
