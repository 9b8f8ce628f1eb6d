# Otklik as a container: built in one stage with the development packages, run in another without them, as an
# unprivileged user. The embedded database and scratch files live in /var/lib/otklik (a volume); with DATABASE_URL
# set the process keeps nothing there that matters. See deploy/compose.yaml and docs/DEPLOYMENT.md.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    OTKLIK_HOST=0.0.0.0 \
    OTKLIK_PORT=3000 \
    OTKLIK_SMTP_PORT=2525 \
    OTKLIK_DATA_DIR=/var/lib/otklik
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/bin ./bin
COPY --from=build /app/dist ./dist
COPY --from=build /app/data ./data
COPY --from=build /app/web/dist ./web/dist
RUN mkdir -p /var/lib/otklik && chown node:node /var/lib/otklik
USER node
VOLUME ["/var/lib/otklik"]
EXPOSE 3000 2525
# Liveness: the process answers. A load balancer reads /api/v1/ready instead.
HEALTHCHECK --interval=15s --timeout=5s --start-period=90s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:3000/api/v1/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node itself, not npm: SIGTERM reaches the server, which drains within OTKLIK_SHUTDOWN_SECONDS.
CMD ["node", "bin/otklik.js", "serve"]
