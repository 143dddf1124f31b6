#!/usr/bin/env bash
# Installs everything Switchboard needs on a fresh Debian machine, idempotently:
# Debian packages, the pinned livekit-server and livekit-sip binaries (built once, cached), npm deps, the build.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=../versions.env
source ./versions.env

BIN_CACHE="${SWITCHBOARD_BIN_CACHE:-$HOME/.cache/switchboard/bin}"
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
log() { printf '[install] %s\n' "$*" >&2; }

missing=()
for pkg in $APT_PACKAGES; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "apt: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
  # Only promtool is wanted from `prometheus` (the tests check the shipped alert rules with it). On
  # a systemd host the package also starts a Prometheus server and node exporter listening on every
  # interface: stop the ones this run installed.
  if [[ " ${missing[*]} " == *" prometheus "* ]] && [ -d /run/systemd/system ]; then
    $SUDO systemctl disable --now prometheus prometheus-node-exporter >/dev/null 2>&1 || true
  fi
fi

# Local fixes to a component live in deploy/patches/<name>/*.patch, applied in name order.
patch_files() { # name
  [ -d "deploy/patches/$1" ] || return 0
  find "deploy/patches/$1" -maxdepth 1 -type f -name '*.patch' | LC_ALL=C sort
}
# The cache folder: <name>-<version>, plus -p<first 8 hex of the sha256 of its patches, concatenated>
# when it has any, so a pin or patch change builds anew and a match is reused. src/stack/binaries.ts
# names it the same way; its test runs this function to prove it.
cache_dir() { # name version
  local dir="$BIN_CACHE/$1-$2" list
  list=$(patch_files "$1")
  [ -n "$list" ] && dir+="-p$(xargs cat <<<"$list" | sha256sum | cut -c1-8)"
  echo "$dir"
}

# A cached binary is reused only when it reports the pinned version itself (`doctor` asks it the same way).
# `go install module/cmd@version` is not used: it reads the module's version list, which the module proxy
# refuses for livekit/sip. Downloading the pinned module and building inside it needs no list; a patched
# component is built in a patched copy of it (the module cache is read-only).
go_build() ( # name module package version cgo [version variable]
  dir=$(cache_dir "$1" "$4")
  if [ -x "$dir/$1" ] && "$dir/$1" --version 2>/dev/null | grep -qF "version ${4#v}"; then exit 0; fi
  mapfile -t patches < <(patch_files "$1")
  log "go: building $1 $4${patches[0]:+ with ${#patches[@]} patch(es)} (first time only, several minutes)"
  src=$(cd /tmp && GOFLAGS=-mod=mod go mod download -json "$2@$4" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
  if [ ${#patches[@]} -gt 0 ]; then
    work=$(mktemp -d) && trap 'rm -rf "$work"' EXIT
    cp -r "$src/." "$work" && chmod -R u+w "$work" && src=$work
    for patch in "${patches[@]}"; do
      # The ceiling keeps git from taking a repository around $TMPDIR for the one to patch.
      GIT_CEILING_DIRECTORIES=$(dirname "$work") git -C "$work" apply "$PWD/$patch" ||
        { log "$patch does not apply to $2@$4"; exit 1; }
    done
  fi
  # Built from a module folder, livekit-sip reports 0.0.0-dev unless its version variable is set.
  ldflags=""; [ -n "${6:-}" ] && ldflags="-X $6=${4#v}"
  mkdir -p "$dir.tmp"
  (cd "$src" && CGO_ENABLED=$5 go build -ldflags "$ldflags" -o "$dir.tmp/$1" "$3")
  rm -rf "$dir" && mv "$dir.tmp" "$dir"
)
go_build livekit-server "$LIVEKIT_SERVER_MODULE" "$LIVEKIT_SERVER_PACKAGE" "$LIVEKIT_SERVER_VERSION" 0 &
server_pid=$!
go_build livekit-sip "$LIVEKIT_SIP_MODULE" "$LIVEKIT_SIP_PACKAGE" "$LIVEKIT_SIP_VERSION" 1 "$LIVEKIT_SIP_VERSION_VAR"
wait "$server_pid"

# onnxruntime-node's postinstall downloads CUDA builds from outside the npm registry; the CPU binaries ship in the tarball.
export ONNXRUNTIME_NODE_INSTALL_CUDA=skip ONNXRUNTIME_NODE_INSTALL=skip
stamp=node_modules/.switchboard-lock-hash
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  log "npm: installing dependencies"
  # `npm install`, not `npm ci`: npm 11 drops other platforms' optional packages from the lock file
  # and `npm ci` then refuses it as out of sync. The lock file still pins every version installed.
  npm install --no-audit --no-fund --loglevel=error
  echo "$want" >"$stamp"
fi

log "build: compiling TypeScript"
# From scratch: a source file that moved or was deleted must not live on in dist/.
rm -rf dist
npx tsc -p tsconfig.build.json
# Lua scripts (every src/<folder>/lua, e.g. admission and privacy) are read at run time next to
# the compiled code.
find src -type d -name lua -prune | while read -r dir; do
  out="dist/${dir#src/}"
  rm -rf "$out" && mkdir -p "$(dirname "$out")" && cp -r "$dir" "$out"
done
