# customer-graph: the gateway on Node.js 20, as `npm start` runs it, as a non-root user.
# Build: docker build -t customer-graph .   Run with PostgreSQL and Redis: docker compose up
#
# Two stages: the build installs everything (dev dependencies too: patch-package applies the
# project's patches, vite builds the console) and then prunes the dev dependencies; the image
# gets the pruned node_modules, the generated Prisma client and the built console.
FROM node:20-bookworm-slim AS build
WORKDIR /app
ENV NPM_CONFIG_UPDATE_NOTIFIER=false
# Install scripts stay off, as package.json's allowScripts keeps them off under npm 11 (the
# image's npm 10 ignores it): Prisma's would download native engines the project does not
# use. The project's own postinstall steps run explicitly below.
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma ./prisma
COPY patches ./patches
COPY scripts ./scripts
COPY console ./console
RUN npm ci --ignore-scripts --no-audit --no-fund \
 && npx patch-package \
 && node scripts/prisma.mjs generate \
 && node scripts/build-console.mjs --force \
 && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000 \
    NPM_CONFIG_UPDATE_NOTIFIER=false
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/src/generated ./src/generated
COPY --from=build /app/console/dist ./console/dist
COPY package.json package-lock.json prisma.config.ts schema.graphql ./
COPY prisma ./prisma
COPY scripts ./scripts
COPY bin ./bin
COPY src ./src

# Directories the `node` user writes: ./data (the embedded database, when DATABASE_URL is not
# PostgreSQL; a volume then) and ./imports (files to import and their error reports, which the
# CLI writes beside the file; a volume in compose.yaml). The CLI runs from ./imports there.
RUN mkdir -p /app/data /app/imports && chown node:node /app/data /app/imports
USER node

EXPOSE 4000
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"

# Started directly (not through npm) so SIGTERM reaches the server, which finishes in-flight
# requests within SHUTDOWN_TIMEOUT_SECONDS (20 s) before it exits.
CMD ["node", "bin/customer-graph.mjs", "serve"]
