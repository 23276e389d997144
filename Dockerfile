# The phoenix image: the operator (`phoenix operator`, the default) and the per-market collector
# (`phoenix collector`, args ["collector"]). Build it with `npm run image:build` (needs Docker).
#
# Runtime contract (the manifests and the chart rely on it): numeric non-root user 65532, works
# with a read-only root filesystem (nothing is written outside /tmp, where the pods mount an
# emptyDir), production dependencies only.

ARG NODE_IMAGE=node:24.21.0-bookworm-slim

# --- build: compile src/ to dist/ with the dev dependencies (TypeScript) --------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# --- deps: production dependencies only ------------------------------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# --- runtime ---------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOME=/tmp
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
USER 65532:65532
EXPOSE 8080 8081 9090
ENTRYPOINT ["node", "--max-semi-space-size=2", "dist/cli/main.js"]
CMD ["operator"]
