#!/usr/bin/env bash
# Builds vipd's Debian package the Debian way (debian/, dpkg-buildpackage) from a clean copy
# of the tree, and checks it with lintian (no errors). With --test it also installs the
# package, runs vipd, vipctl and vipd-genhash from the installed paths, checks the man pages,
# unit, completion and config are where they belong, and purges it, checking that nothing
# it installed is left.
#   scripts/package.sh [--test]      -> dist/vipd_VERSION_ARCH.deb
set -euo pipefail
cd "$(dirname "$0")/.."
test_it=0
[ "${1:-}" = --test ] && test_it=1
export DEBIAN_FRONTEND=noninteractive
if [ "${VIPD_SKIP_APT:-0}" != 1 ]; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends debhelper dpkg-dev fakeroot lintian cmake \
    ninja-build pkg-config ccache libfmt-dev libssl-dev libnftables-dev nlohmann-json3-dev \
    libcli11-dev libpcre2-dev man-db g++ >/dev/null
fi

work=$(mktemp -d /tmp/vipd-pkg.XXXXXX)
installed=0
cleanup() {
  if [ $installed = 1 ]; then dpkg --purge vipd >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
# The tracked files (and new ones not ignored), as a fresh clone would have them.
mkdir "$work/vipd"
git ls-files -z --cached --others --exclude-standard |
  while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
  tar -cf - --null -T - | tar -xf - -C "$work/vipd"
# debhelper gives the build its own HOME; keep ccache's cache (paths relative to the copy).
export CCACHE_DIR=${CCACHE_DIR:-$(ccache -k cache_dir 2>/dev/null || echo "$HOME/.cache/ccache")}
export CCACHE_BASEDIR=$work/vipd
export DEB_BUILD_OPTIONS="parallel=$(nproc) ${DEB_BUILD_OPTIONS:-}"
start=$(date +%s)
(cd "$work/vipd" && dpkg-buildpackage -b -us -uc >"$work/build.log" 2>&1) || {
  tail -50 "$work/build.log"; echo "FAIL: dpkg-buildpackage"; exit 1; }
mkdir -p dist
rm -f dist/vipd_*.deb
cp "$work"/vipd_*.deb dist/
deb=$(ls dist/vipd_*.deb)
echo "built $deb in $(( $(date +%s) - start )) s"
lintian --fail-on error --tag-display-limit 0 "$deb" | tee "$work/lintian.txt"
echo "lintian: no errors ($(grep -c '^W:' "$work/lintian.txt" || true) warnings)"
[ $test_it = 1 ] || exit 0

fail() { echo "FAIL: $*"; exit 1; }
dpkg -i "$deb" >/dev/null
installed=1
files=$(dpkg -L vipd)
for f in /usr/sbin/vipd /usr/bin/vipctl /usr/bin/vipd-genhash /etc/vipd/vipd.conf \
         /lib/systemd/system/vipd.service /usr/share/man/man8/vipd.8.gz \
         /usr/share/man/man8/vipctl.8.gz /usr/share/man/man5/vipd.conf.5.gz \
         /usr/share/bash-completion/completions/vipctl \
         /usr/share/doc/vipd/grafana/vipd-dashboard.json; do
  [ -e "$f" ] || fail "$f not installed"
done
/usr/sbin/vipd --version | grep -q vipd || fail "vipd --version"
/usr/sbin/vipd -t -f /etc/vipd/vipd.conf 2>/dev/null || fail "vipd -t on the installed config"
n=0
for conf in $(find /usr/share/doc/vipd/examples -name '*.conf' | sort); do
  /usr/sbin/vipd -t -f "$conf" >/dev/null 2>&1 || fail "vipd -t $conf"
  n=$((n + 1))
done
/usr/bin/vipctl --help | grep -q 'explain' || fail "vipctl --help"
/usr/bin/vipd-genhash --help >/dev/null 2>&1 || /usr/bin/vipd-genhash -h >/dev/null 2>&1 ||
  fail "vipd-genhash"
for page in vipd vipctl vipd.conf vipd-genhash; do
  man -w "$page" >/dev/null 2>&1 || fail "man $page"
done
keepalived --version >/dev/null 2>&1 && [ -e /usr/bin/genhash ] &&
  echo "keepalived stays installed beside vipd (genhash and vipd-genhash both present)"
echo "installed: vipd -t passes on /etc/vipd/vipd.conf and $n examples; vipctl, vipd-genhash and man pages work"
dpkg --purge vipd >/dev/null
installed=0
left=0
while IFS= read -r f; do
  [ -f "$f" ] && { echo "left behind: $f"; left=1; }
done <<<"$files"
[ -e /etc/vipd ] && { echo "left behind: /etc/vipd"; left=1; }
[ $left = 0 ] || fail "purge left files"
echo "purged: nothing left"
