# One image for every liqmap process: migrate, indexer, worker, api (the command differs).
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY base ./base
COPY db ./db
COPY engine ./engine
COPY indexer ./indexer
COPY jobs ./jobs
COPY api ./api
COPY cli ./cli
COPY bin ./bin
USER node
EXPOSE 4000
ENTRYPOINT ["node", "bin/liqmap.js"]
CMD ["serve"]
