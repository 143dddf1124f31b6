# syntax=docker/dockerfile:1
# Switchboard's images, one Dockerfile, two targets:
#   switchboard      `switchboard run agent | control-plane | log-sink | config`, with the offline
#                    engines (espeak-ng, pocketsphinx)
#   switchboard-sip  the official livekit/sip image with Node and nftables added:
#                    `switchboard run sip` supervises the official livekit-sip build
# deploy/compose/dev.yaml and pilot.yaml build both. By hand:
#   docker build --target switchboard -t switchboard .
#   docker build --target switchboard-sip -t switchboard-sip .

ARG NODE_IMAGE=node:20-bookworm-slim
# Equal to LIVEKIT_SIP_VERSION in versions.env; deploy/deploy.test.ts checks.
ARG LIVEKIT_SIP_VERSION=v1.8.0

FROM ${NODE_IMAGE} AS build
WORKDIR /src
# onnxruntime-node's postinstall downloads CUDA builds from outside the npm registry; the CPU
# binaries ship in its tarball (as in scripts/install.sh).
ENV ONNXRUNTIME_NODE_INSTALL_CUDA=skip ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json ./
# `npm install`, not `npm ci`, for the reason scripts/install.sh gives: the lock file holds only
# the platform packages of the machine that wrote it, and `npm ci` refuses it as out of sync. The
# lock still pins every version.
RUN npm install --no-audit --no-fund --loglevel=error
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# The Lua scripts are read at run time next to the compiled code (as scripts/install.sh copies them).
RUN npx tsc -p tsconfig.build.json \
 && find src -type d -name lua -prune | while read -r dir; do \
      mkdir -p "dist/${dir#src/}" && cp -r "$dir/." "dist/${dir#src/}/"; \
    done \
 && npm prune --omit=dev --no-audit --no-fund --loglevel=error

# What both targets run: /app is read-only to the service user. versions.env stays beside dist/,
# where `switchboard` reads its pins.
FROM scratch AS app
COPY --from=build /src/package.json /app/package.json
COPY versions.env /app/versions.env
COPY bin /app/bin
COPY --from=build /src/dist /app/dist
COPY --from=build /src/node_modules /app/node_modules

FROM ${NODE_IMAGE} AS switchboard
# A named volume mounted on /generated (compose's `generated`) takes the folder's owner, so
# `run config` can write into it as the service user.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      espeak-ng pocketsphinx pocketsphinx-en-us \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --user-group --home-dir /var/lib/switchboard --create-home \
      --shell /usr/sbin/nologin switchboard \
 && install -d -o switchboard -g switchboard -m 0750 /generated
COPY --from=app /app /app
ENV NODE_ENV=production HOME=/var/lib/switchboard
WORKDIR /var/lib/switchboard
USER switchboard
ENTRYPOINT ["node", "/app/bin/switchboard.js"]

# Debian trixie, livekit-sip in /bin; its nodejs (20.x) satisfies engines.node. It runs as root
# with every capability dropped but NET_ADMIN (compose does that): nft needs the capability
# itself, and certbot's private keys under /etc/letsencrypt are readable by root only.
FROM livekit/sip:${LIVEKIT_SIP_VERSION} AS switchboard-sip
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nodejs nftables \
 && rm -rf /var/lib/apt/lists/* \
 && install -d -m 0700 /var/lib/switchboard
COPY --from=app /app /app
ENV NODE_ENV=production HOME=/var/lib/switchboard
WORKDIR /var/lib/switchboard
ENTRYPOINT ["node", "/app/bin/switchboard.js"]
CMD ["run", "sip"]
