#!/usr/bin/env bash
# CI: builds the .deb, installs it for real (root), runs the CLI from the PATH (--version, check against the fake
# HubSoft and fake AMI), purges it, and checks that the file list is what it was before. Needs root and `npm ci` done.
set -euo pipefail
cd "$(dirname "$0")/.."
name=hubsoft-pbx-bridge
[ "$(id -u)" = 0 ] || { echo "deb-check: needs root (dpkg -i)" >&2; exit 1; }

work="$(mktemp -d)"
fakes_pid=""
cleanup() {
  [ -n "$fakes_pid" ] && kill "$fakes_pid" 2>/dev/null || true
  dpkg -s "$name" >/dev/null 2>&1 && dpkg --purge "$name" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# Where a package can leave something; dpkg's and apt's own bookkeeping and logs excluded.
snapshot() {
  find /opt /usr/bin /usr/sbin /usr/lib/systemd /lib/systemd /usr/share/doc /usr/share/lintian /etc /var/lib /home \
    \( -path /var/lib/dpkg -o -path /var/lib/apt -o -path /var/lib/systemd/deb-systemd-helper-enabled -o -path /var/lib/ucf \) -prune -o -print 2>/dev/null |
    grep -Ev '^/etc/(passwd|group|shadow|gshadow)-$' | sort
  getent passwd "$name" || true
  getent group "$name" || true
}

# A fresh (minimal) Debian may lack the package's Depends; dpkg-deb itself comes with dpkg.
dpkg -s adduser >/dev/null 2>&1 || (export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq --no-install-recommends adduser) >/dev/null
dpkg -s "$name" >/dev/null 2>&1 && { echo "deb-check: $name was installed already; purging it first"; dpkg --purge "$name" >/dev/null; }
deb="$(packaging/build-deb.sh "$work/out")"
echo "deb-check: built $(basename "$deb") ($(du -h "$deb" | cut -f1))"
snapshot > "$work/before"

dpkg -i "$deb" > "$work/dpkg-i.log" 2>&1 || { cat "$work/dpkg-i.log"; exit 1; }
grep -q "the service is not started" "$work/dpkg-i.log" || { echo "deb-check: postinst did not say the service waits for a config" >&2; cat "$work/dpkg-i.log"; exit 1; }
bin="$(command -v "$name")"
[ "$bin" = "/usr/bin/$name" ] || { echo "deb-check: $name on the PATH is $bin, expected /usr/bin/$name" >&2; exit 1; }
want="$(node -p "require('./package.json').version")"
got="$("$name" --version)"
[ "$got" = "$want" ] || { echo "deb-check: --version says '$got', package.json '$want'" >&2; exit 1; }
getent passwd "$name" >/dev/null || { echo "deb-check: no $name system user" >&2; exit 1; }
perms="$(stat -c '%a %U:%G' /etc/$name)"
[ "$perms" = "755 root:root" ] || { echo "deb-check: /etc/$name is $perms, expected 755 root:root (Asterisk reads the AMI user file in it)" >&2; exit 1; }
[ -f /lib/systemd/system/$name.service ] || { echo "deb-check: unit missing" >&2; exit 1; }
/opt/$name/node/bin/node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' || { echo "deb-check: bundled Node < 20" >&2; exit 1; }

# check from the PATH against the fakes (started from test/support with tsx; the installed CLI knows nothing of them).
mkfifo "$work/fakes.out"
node --import tsx test/support/serve-fakes.ts "$work/config.yaml" < /dev/null > "$work/fakes.out" 2>"$work/fakes.err" &
fakes_pid=$!
read -r -t 30 ready < "$work/fakes.out" || { echo "deb-check: the fakes did not start" >&2; cat "$work/fakes.err" >&2; exit 1; }
echo "deb-check: fakes $ready"
chown root:"$name" "$work/config.yaml"
if ! "$name" check --config "$work/config.yaml" > "$work/check.out" 2>&1; then
  echo "deb-check: check failed:" >&2
  cat "$work/check.out" >&2
  exit 1
fi
sed 's/^/deb-check:   /' "$work/check.out"
kill "$fakes_pid" 2>/dev/null || true
wait "$fakes_pid" 2>/dev/null || true
fakes_pid=""

dpkg -r "$name" >/dev/null 2>&1
[ ! -e /usr/bin/$name ] && [ ! -e /opt/$name/node ] || { echo "deb-check: dpkg -r left the program behind" >&2; exit 1; }
[ -d /etc/$name ] || { echo "deb-check: dpkg -r removed the config directory (only --purge should)" >&2; exit 1; }
dpkg --purge "$name" >/dev/null
snapshot > "$work/after"
if ! diff -u "$work/before" "$work/after"; then
  echo "deb-check: dpkg --purge left the system different (above)" >&2
  exit 1
fi
echo "deb-check: OK (installed, --version $got from PATH, check against the fakes passed, purged clean)"
