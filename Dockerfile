# One image for both apps (APP=ai-gateway | credit-store). Used by docker-compose.yml.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json nest-cli.json ./
COPY apps apps
COPY libs libs
# The build generates the OpenAPI metadata from the DTOs first (scripts/openapi-metadata.js).
COPY scripts scripts
# The image brings its own Node 24, so the lock's node-linux-* binaries (optional) are pruned too.
RUN npm run build && npm prune --omit=dev --omit=optional

FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
# Reachable from outside the container (the apps listen on 127.0.0.1 unless HOST says otherwise).
ENV HOST=0.0.0.0
# The same V8 heap settings as scripts/app-node-flags.js (npm start, benchmarks).
ENV NODE_OPTIONS="--max-semi-space-size=8 --max-old-space-size=192 --disable-warning=TimeoutNegativeWarning"
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY package.json ./
ARG APP
ENV APP=${APP}
# Migrations first (advisory-locked, so replicas may start together), then the server.
CMD ["sh", "-c", "node dist/apps/$APP/apps/$APP/src/main.js migrate && exec node dist/apps/$APP/apps/$APP/src/main.js"]
