# One image for the tiger-sync worker and the webhook/REST server (docker-compose.yml).
FROM node:20-bookworm-slim
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
ENV NODE_ENV=production TIGER_HOME=/data
ENTRYPOINT ["node", "bin/tiger.js"]
CMD ["worker"]
