#!/usr/bin/env bash
# Builds an offline tarball of the bridge with its own Node runtime, for PBXs without internet or
# whose system Node is too old (FreePBX 17 holds Debian's nodejs 18). Run on a build machine of the
# same CPU architecture and an equal or older glibc than the PBX, with Node 20 or 22 and npm.
#
#   systemd/make-bundle.sh [OUT_DIR]          (NODE_BIN=/path/to/node to bundle another Node)
#
# The tarball unpacks at / into:
#   /opt/hubsoft-pbx-bridge/node/bin/node      the Node runtime
#   /opt/hubsoft-pbx-bridge/app/               package.json, dist/, config/, systemd/, production node_modules/
#   /opt/hubsoft-pbx-bridge/bin/hubsoft-pbx-bridge   wrapper running the CLI with that Node
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$repo/bundle}"
node_bin="${NODE_BIN:-$(node -p 'process.execPath')}"

node_version="$("$node_bin" -p 'process.versions.node')"
node_major="${node_version%%.*}"
if [ "$node_major" -lt 20 ]; then
  echo "make-bundle: $node_bin is Node $node_version; the bridge needs Node 20 or 22" >&2
  exit 1
fi
arch="$("$node_bin" -p 'process.arch')"
version="$("$node_bin" -p "require('$repo/package.json').version")"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
stage="$work/opt/hubsoft-pbx-bridge"
app="$stage/app"
mkdir -p "$stage/node/bin" "$stage/bin" "$app"

# Build in a clean copy: the developer's node_modules and dist stay as they are.
for item in package.json package-lock.json tsconfig.json src config systemd README.md LICENSE docs; do
  if [ -e "$repo/$item" ]; then cp -R "$repo/$item" "$app/"; fi
done
(
  cd "$app"
  PATH="$(dirname "$node_bin"):$PATH"
  npm ci --no-audit --no-fund
  npm run build
  npm prune --omit=dev --no-audit --no-fund
  rm -rf src tsconfig.json dist/test
)

cp "$node_bin" "$stage/node/bin/node"
chmod 0755 "$stage/node/bin/node"
cat > "$stage/bin/hubsoft-pbx-bridge" <<'WRAPPER'
#!/bin/sh
exec /opt/hubsoft-pbx-bridge/node/bin/node /opt/hubsoft-pbx-bridge/app/dist/src/cli/bin.js "$@"
WRAPPER
chmod 0755 "$stage/bin/hubsoft-pbx-bridge"
echo "$node_version" > "$stage/node/VERSION"

mkdir -p "$out"
tarball="$out/hubsoft-pbx-bridge-$version-linux-$arch-node$node_major.tar.gz"
tar -C "$work" --owner=0 --group=0 -czf "$tarball" opt
(cd "$out" && sha256sum "$(basename "$tarball")" > "$(basename "$tarball").sha256")
echo "$tarball"
