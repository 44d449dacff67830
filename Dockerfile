# One image for the tiger-sync worker and the webhook/REST server (docker-compose.yml).
FROM node:20-bookworm-slim
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# `prepare` (scripts/build.js) runs inside npm ci and finds no sources yet: it skips, and the
# compile happens below, once the sources are in; dev dependencies (TypeScript) go after it.
COPY scripts/build.js scripts/build.js
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev --no-audit --no-fund
ENV NODE_ENV=production TIGER_HOME=/data
# The executable, not `node bin/tiger.js`: its first line carries the worker memory profile.
ENTRYPOINT ["/app/bin/tiger.js"]
CMD ["worker"]
