#!/usr/bin/env bash
# package.deb: builds the Debian package from a built tree with CPack (what `make package` does)
# and checks it: the files it holds and their owners (dpkg-deb -c), its control data (depends,
# conffiles, maintainer scripts), the AGPL note in its copyright file, that the packaged binary
# loads the packaged (stripped) plugins and the packaged configuration, lintian with no error,
# and the systemd unit with systemd-analyze verify.
#
#   tests/package/package_test.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=$(cd "$1" && pwd)
build=$(cd "$2" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

if ! (cd "$build" && cpack -G DEB -B "$work/out" >"$work/cpack.log" 2>&1); then
  cat "$work/cpack.log"
  echo "FAIL: cpack could not build the package"
  exit 1
fi
deb=$(ls "$work"/out/disputed_*.deb)
echo "package: $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB)"

# --- contents
dpkg-deb -c "$deb" >"$work/contents"
awk '{print $6}' "$work/contents" >"$work/paths"
paths() { cat "$work/paths"; }
for path in ./usr/lib/disputed/bin/disputed ./usr/bin/disputed \
            ./usr/lib/disputed/plugins/libzendesk.so ./usr/lib/disputed/plugins/libzendesk.manifest.json \
            ./usr/lib/disputed/plugins/libsalesforce.so ./usr/lib/disputed/plugins/libmsgraph.so \
            ./usr/lib/disputed/plugins/libsmtp.so \
            ./etc/disputed/disputed.json ./etc/disputed/roles.json ./etc/disputed/categories.json \
            ./etc/disputed/calendars/nl.json ./etc/disputed/workflows/general.json \
            ./etc/disputed/templates/en ./lib/systemd/system/disputed.service \
            ./usr/share/doc/disputed/copyright ./usr/share/doc/disputed/changelog.gz \
            ./usr/share/doc/disputed/README.md ./usr/share/doc/disputed/operations.md \
            ./usr/share/doc/disputed/configuration.md; do
  grep -qx -- "$path/\?" "$work/paths" || fail "the package lacks $path"
done
grep -q '^l.* ./usr/bin/disputed -> ../lib/disputed/bin/disputed$' "$work/contents" ||
  fail "/usr/bin/disputed is not a link to ../lib/disputed/bin/disputed"
awk '$2 != "root/root" {print}' "$work/contents" | grep . && fail "files not owned by root/root (above)"
paths | grep -E '_test$|disputed-sandbox|/include/|\.a$|screenshots' && fail "test, sandbox or SDK files in the package (above)"
awk '$1 ~ /^-/ && $1 ~ /w.*w/ {print}' "$work/contents" | grep . && fail "files writable beyond their owner (above)"

# --- control data
dpkg-deb -e "$deb" "$work/control"
depends=$(dpkg-deb -f "$deb" Depends)
for dep in adduser libc6 libsqlite3-0 liboauth2 libcurl; do
  grep -q "$dep" <<<"$depends" || fail "Depends lacks $dep: $depends"
done
for f in /etc/disputed/disputed.json /etc/disputed/roles.json /etc/disputed/workflows/general.json \
         /etc/disputed/calendars/holidays-nl.json; do
  grep -qx "$f" "$work/control/conffiles" || fail "$f is not a conffile"
done
paths | grep '^\./etc/.*[^/]$' | sed 's/^\.//' | while read -r f; do
  grep -qx "$f" "$work/control/conffiles" || echo "FAIL: $f under /etc is not a conffile"
done | tee "$work/not-conffiles"
[ -s "$work/not-conffiles" ] && failures=$((failures + 1))
grep -q 'adduser --system' "$work/control/postinst" || fail "postinst does not create the user"

# --- the files themselves
dpkg-deb -x "$deb" "$work/root"
grep -q 'AGPL-3.0-or-later' "$work/root/usr/share/doc/disputed/copyright" ||
  fail "the copyright file does not name the AGPL-3.0-or-later of the linked binary"
grep -q '"path": "/var/lib/disputed/disputed.db"' "$work/root/etc/disputed/disputed.json" ||
  fail "the packaged disputed.json does not keep the database in /var/lib/disputed"
for f in "$work/root/usr/lib/disputed/bin/disputed" "$work/root"/usr/lib/disputed/plugins/*.so; do
  file -b "$f" | grep -q 'not stripped' && fail "$f is not stripped"
done
unit=$work/root/lib/systemd/system/disputed.service
for setting in User=disputed ProtectSystem=strict ProtectHome=true NoNewPrivileges=true \
               PrivateTmp=true StateDirectory=disputed ReadWritePaths=/var/lib/disputed \
               'CapabilityBoundingSet=$'; do
  grep -q "^$setting" "$unit" || fail "the unit lacks $setting"
done
# The packaged binary, run from the unpacked tree, finds the packaged plugins (<bin>/../plugins)
# and loads them through its ABI gate, and accepts the packaged configuration.
bin=$work/root/usr/lib/disputed/bin/disputed
export DISPUTED_DB=$work/check.db
if ! "$bin" --config "$work/root/etc/disputed/disputed.json" plugins >"$work/plugins.out" 2>&1; then
  cat "$work/plugins.out"; fail "disputed plugins failed on the packaged tree"
fi
for plugin in zendesk salesforce msgraph smtp; do
  grep -q "^$plugin " "$work/plugins.out" || grep -q "\b$plugin\b" "$work/plugins.out" ||
    fail "disputed plugins does not list $plugin: $(cat "$work/plugins.out")"
done
grep -qi 'refused' "$work/plugins.out" && fail "a packaged plugin is refused: $(cat "$work/plugins.out")"
"$bin" --config "$work/root/etc/disputed/disputed.json" config check >"$work/check.out" 2>&1 ||
  { cat "$work/check.out"; fail "disputed config check refused the packaged configuration"; }

# --- lintian: no error (warnings are printed, not failed)
if command -v lintian >/dev/null; then
  lintian --fail-on error --tag-display-limit 0 "$deb" >"$work/lintian.out" 2>&1 || {
    cat "$work/lintian.out"; fail "lintian reports errors"; }
  echo "lintian: $(grep -c '^E:' "$work/lintian.out" || true) errors, $(grep -c '^W:' "$work/lintian.out" || true) warnings"
  grep '^W:' "$work/lintian.out" || true
else
  fail "lintian is not installed (scripts/setup.sh installs it)"
fi

# --- the unit, in the unpacked tree (its ExecStart binary is there) with the host's targets,
# slices and kill(1) beside it, as on an installed system; any remark is a failure
if command -v systemd-analyze >/dev/null; then
  cp -a /lib/systemd/system/*.target /lib/systemd/system/*.slice "$work/root/lib/systemd/system/"
  mkdir -p "$work/root/bin" && cp /usr/bin/kill "$work/root/bin/kill"
  if ! SYSTEMD_LOG_LEVEL=notice systemd-analyze verify --man=no --root="$work/root" \
       /lib/systemd/system/disputed.service >"$work/verify.out" 2>&1 ||
     grep -q . "$work/verify.out"; then
    cat "$work/verify.out"; fail "systemd-analyze verify objects to the unit"
  else
    echo "systemd-analyze verify: no objection"
  fi
else
  fail "systemd-analyze is not installed (scripts/setup.sh installs systemd)"
fi

[ "$failures" -eq 0 ] || { echo "package.deb: $failures failure(s)"; exit 1; }
echo "package.deb: ok"
