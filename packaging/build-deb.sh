#!/usr/bin/env bash
# Builds hubsoft-pbx-bridge_<version>_<arch>.deb with dpkg-deb: its own Node runtime (the build machine's, >= 20)
# and the production node_modules. No network: it reuses the checkout's node_modules (after `npm ci`).
#
#   packaging/build-deb.sh [OUT_DIR]        (NODE_BIN=/path/to/node to carry another Node)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$repo/dist-deb}"
node_bin="${NODE_BIN:-$(node -p 'process.execPath')}"
name=hubsoft-pbx-bridge

node_version="$("$node_bin" -p 'process.versions.node')"
if [ "${node_version%%.*}" -lt 20 ]; then
  echo "build-deb: $node_bin is Node $node_version; the package needs Node 20 or newer" >&2
  exit 1
fi
command -v dpkg-deb >/dev/null || { echo "build-deb: dpkg-deb not found (apt-get install dpkg-dev)" >&2; exit 1; }
[ -d "$repo/node_modules" ] || { echo "build-deb: run npm ci first (node_modules is copied, never downloaded)" >&2; exit 1; }
version="$("$node_bin" -p "require('$repo/package.json').version")"
arch="$(dpkg --print-architecture)"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
root="$work/root"
app="$root/opt/$name/app"
mkdir -p "$app" "$root/opt/$name/node/bin" "$root/usr/bin" "$root/lib/systemd/system" "$root/usr/share/doc/$name" \
  "$root/usr/share/lintian/overrides" "$root/DEBIAN"

# The app: compiled JS, the files the CLI reads at run time, production dependencies only.
(cd "$repo" && "$node_bin" node_modules/typescript/bin/tsc -p tsconfig.json --outDir "$work/build")
cp -R "$work/build/src" "$app/dist-src" && mkdir -p "$app/dist" && mv "$app/dist-src" "$app/dist/src"
find "$app/dist" -name '*.map' -delete
cp "$repo/package.json" "$repo/package-lock.json" "$app/"
cp -R "$repo/config" "$repo/systemd" "$app/"
cp -R "$repo/node_modules" "$app/"
(cd "$app" && PATH="$(dirname "$node_bin"):$PATH" npm prune --omit=dev --offline --no-audit --no-fund >/dev/null)
rm -f "$app/package-lock.json"
# Not needed at run time, and what Lintian flags in vendored trees.
find "$app/node_modules" \( -name '*.md' -o -name '*.markdown' -o -name '*.map' -o -name '*.ts' -o -name '.npmignore' -o -name '.eslintrc*' \
  -o -name '.travis.yml' -o -name '.editorconfig' -o -name '.github' -o -name 'LICENSE*' -o -name 'license' -o -name 'LICENCE*' \) -prune -exec rm -rf {} +
find "$app/node_modules" -name '.bin' -type d -prune -exec rm -rf {} +
find "$app/node_modules" \( -name '.git*' -o -name '*.html' -o -name '.husky' -o -name '*.sh' \) -prune -exec rm -rf {} +
# The npm packages' own command-line tools (never run by the bridge) and the bundle script are left out.
rm -f "$app/node_modules/pino/bin.js" "$app/node_modules/pino-pretty/bin.js" "$app/node_modules/yaml/bin.mjs" "$app/systemd/make-bundle.sh"
# The wrapper runs bin.js with the carried Node: no "#!/usr/bin/env node" (that would want a system nodejs).
sed -i '1{/^#!/d}' "$app/dist/src/cli/bin.js"
find "$app/node_modules" -mindepth 2 -maxdepth 3 -type d \( -name test -o -name tests -o -name benchmarks -o -name benchmark -o -name docs -o -name example -o -name examples \) \
  ! -path '*/dist/*' -prune -exec rm -rf {} +

install -m 0755 "$node_bin" "$root/opt/$name/node/bin/node"
echo "$node_version" > "$root/opt/$name/node/VERSION"
cat > "$root/usr/bin/$name" <<WRAPPER
#!/bin/sh
exec /opt/$name/node/bin/node /opt/$name/app/dist/src/cli/bin.js "\$@"
WRAPPER
chmod 0755 "$root/usr/bin/$name"
install -m 0644 "$repo/systemd/$name.service" "$root/lib/systemd/system/$name.service"
install -m 0644 "$repo/packaging/debian/copyright" "$root/usr/share/doc/$name/copyright"
sed "s/@VERSION@/$version/; s/@DATE@/$(date -R -u -d @"${SOURCE_DATE_EPOCH:-$(git -C "$repo" log -1 --format=%ct 2>/dev/null || date +%s)}")/" \
  "$repo/packaging/debian/changelog.in" | gzip -9n > "$root/usr/share/doc/$name/changelog.gz"
install -m 0644 "$repo/packaging/debian/lintian-overrides" "$root/usr/share/lintian/overrides/$name"
for script in postinst prerm postrm; do install -m 0755 "$repo/packaging/debian/$script" "$root/DEBIAN/$script"; done

find "$root" -type d -exec chmod 0755 {} +
find "$root/opt" -type f -exec chmod 0644 {} +
chmod 0755 "$root/opt/$name/node/bin/node"
size="$(du -sk --exclude=DEBIAN "$root" | cut -f1)"
sed "s/@VERSION@/$version/; s/@ARCH@/$arch/; s/@SIZE@/$size/; s/@NODE@/$node_version/" "$repo/packaging/debian/control.in" > "$root/DEBIAN/control"

mkdir -p "$out"
deb="$out/${name}_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zgzip -z6 --build "$root" "$deb" >/dev/null
echo "$deb"
