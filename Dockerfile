# syntax=docker/dockerfile:1
# The netmachine image: the `netmachine` command (`netmachine node` on a cluster) built from this
# checkout and its lockfile. Everything is installed when the image is built; a container starting
# from it downloads nothing. Build and tag it with the package version:
#   docker build -t netmachine:0.1.0 .
# docs/cluster.md shows how `netmachine deploy --emit k8s|compose` uses it.

# Stage 1: compile the TypeScript sources to dist/ (needs the dev dependencies: typescript).
FROM node:20.20.2-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# No install scripts: every native part (QUIC, CBOR, esbuild) comes as a prebuilt registry package.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY core ./core
COPY sim ./sim
COPY transports ./transports
COPY scenarios ./scenarios
COPY viz ./viz
COPY kit ./kit
COPY cli ./cli
RUN node cli/build.js

# Stage 2: the runtime: production dependencies, the compiled package and the example scenarios.
FROM node:20.20.2-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /src/dist ./dist
COPY cli/netmachine.js cli/build.js ./cli/
COPY scenarios/examples ./scenarios/examples
COPY LICENSE ./
# A fixed non-root user, so that Kubernetes' fsGroup and Compose's `user:` can grant it the key
# and trace volumes; /traces is where emitted manifests mount the trace volume.
# `netmachine` on the PATH too, for shell commands such as the sweep Jobs of `check --emit k8s`.
RUN ln -s /app/cli/netmachine.js /usr/local/bin/netmachine \
 && groupadd --gid 10001 netmachine \
 && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin netmachine \
 && mkdir -p /traces \
 && chown 10001:10001 /traces
USER 10001:10001
# The ports emitted manifests give the first node (QUIC over UDP, TLS over TCP); later nodes use the next pairs.
EXPOSE 7000/udp 7001/tcp
# No health check: a node has no health endpoint, and a node waiting for its scheduled start is
# healthy. Kubernetes and Compose watch the process itself (it exits non-zero on a failure).
HEALTHCHECK NONE
ENTRYPOINT ["node", "/app/cli/netmachine.js"]
CMD ["--help"]
