# One image for every liqmap process: migrate, indexer, worker, api (the command differs).
# Stage 1 compiles the TypeScript (tsc → dist/) and bundles it (esbuild → dist/bundle/, which
# bin/liqmap.js runs); the image runs that JavaScript with production dependencies only, the
# bundle's external packages among them (no tsx, no TypeScript, no esbuild, no graph-cli: the
# subgraph is its own workspace).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY subgraph/package.json ./subgraph/
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY base ./base
COPY db ./db
COPY engine ./engine
COPY indexer ./indexer
COPY jobs ./jobs
COPY api ./api
COPY cli ./cli
COPY scripts/bundle.mjs ./scripts/
RUN npm run build

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
# /heatmap.png writes its title, axes and legend with a system font.
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends fonts-dejavu-core && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
COPY subgraph/package.json ./subgraph/
COPY scripts/patch-postgres-driver.mjs ./scripts/
# Scripts are skipped: the one liqmap needs (postgres.js repaired for closed connections) runs here.
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts && node scripts/patch-postgres-driver.mjs && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
USER node
EXPOSE 4000
ENTRYPOINT ["node", "bin/liqmap.js"]
CMD ["serve"]
