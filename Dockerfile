# customer-graph: the gateway on Node.js 20, as `npm start` runs it, as a non-root user.
# Build: docker build -t customer-graph .   Run with PostgreSQL and Redis: docker compose up
FROM node:20-bookworm-slim

ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000 \
    NPM_CONFIG_UPDATE_NOTIFIER=false

WORKDIR /app

# Dependencies first, so that a change to the sources reuses this layer. Install scripts stay
# off, as package.json's allowScripts keeps them off under npm 11 (the image's npm 10 ignores
# it): Prisma's would download native engines the project does not use. The one script needed
# is the project's own postinstall, which generates the Prisma client offline.
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma ./prisma
COPY scripts ./scripts
RUN npm install --omit=dev --ignore-scripts --no-audit --no-fund \
 && node scripts/prisma.mjs generate \
 && npm cache clean --force

COPY bin ./bin
COPY src ./src
COPY schema.graphql ./

# ./data holds the embedded database when DATABASE_URL is not PostgreSQL (a volume, then).
RUN mkdir -p /app/data && chown node:node /app/data
USER node

EXPOSE 4000
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"

# npm passes SIGTERM on to the server, which finishes in-flight requests before it exits.
CMD ["npm", "start"]
