# rigline-agent image: the one-file agent (dist/agent/rigline-agent.cjs) on Node's slim image, nothing else.
# Build from the repository root: docker build -f config/agent.Dockerfile -t rigline-agent .
# Run: docker run -v /etc/rigline-agent:/etc/rigline-agent:ro -v rigline-agent-spool:/var/lib/rigline-agent rigline-agent
# Debian-based (glibc) rather than Alpine: on GPU hosts the NVIDIA container toolkit mounts the host's nvidia-smi.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN node config/build.mjs

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
# Memory settings as in config/rigline-agent.service (measured by `npm run bench:agent`).
ENV MALLOC_TRIM_THRESHOLD_=131072
RUN mkdir -p /var/lib/rigline-agent/spool /etc/rigline-agent \
 && chown -R node:node /var/lib/rigline-agent
COPY --from=build /app/dist/agent/rigline-agent.cjs /opt/rigline-agent/rigline-agent.cjs
COPY --from=build /app/config/agent.example.yaml /etc/rigline-agent/agent.example.yaml
USER node
VOLUME ["/var/lib/rigline-agent"]
# No HEALTHCHECK: the agent is the container's only process and exits on a bad config or a fatal error (let the
# restart policy act); set `metrics.port` and scrape /metrics for polls, failures per source and publish lag.
ENTRYPOINT ["node", "--max-semi-space-size=1", "--optimize-for-size", "--lite-mode", "--no-expose-wasm", "/opt/rigline-agent/rigline-agent.cjs"]
CMD ["run", "--config", "/etc/rigline-agent/agent.yaml"]
