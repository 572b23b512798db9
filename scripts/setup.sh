#!/usr/bin/env bash
# Installs every system dependency of disputed from Debian 12 packages.
# Idempotent: does nothing when everything is present. Works as root or through sudo.
set -euo pipefail

packages=(
  cmake g++ make pkg-config ca-certificates tzdata sqlite3 python3 python3-yaml curl wrk
  libboost-dev libboost-filesystem-dev libboost-system-dev
  libcpprest-dev nlohmann-json3-dev liboauth2-dev libsqlite3-dev libgtest-dev libgmock-dev
  libvalijson-dev libhowardhinnant-date-dev libbenchmark-dev clang-format
  libargon2-dev chromium fonts-liberation2
  libcurl4-openssl-dev libkainjow-mustache-dev python3-aiosmtpd openssl
  clang-14 libclang-rt-14-dev libfuzzer-14-dev
  dpkg-dev lintian systemd file
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

install_prism() {
  # Stoplight Prism for the connectors' conformance tests (API-NOTES section 5), from npm into
  # build/prism; pinned. Needs Node >= 18.20 (Debian 12's nodejs is 18.19: then the NodeSource
  # or machine node is used when present).
  local root prism_dir
  root="$(cd "$(dirname "$0")/.." && pwd)"
  prism_dir="$root/build/prism"
  if [ -x "$prism_dir/node_modules/.bin/prism" ]; then
    echo "setup: prism present"
    return 0
  fi
  echo "setup: installing @stoplight/prism-cli@5.14.2 into build/prism"
  mkdir -p "$prism_dir"
  npm install --no-audit --no-fund --silent --prefix "$prism_dir" @stoplight/prism-cli@5.14.2
}

install_web() {
  # The web app's pinned npm packages (package.json + package-lock.json): Preact, htm and Pico
  # are compiled into the binary; playwright-core and axe-core drive the browser tests in
  # Debian's chromium. None has an install script that downloads anything.
  local root
  root="$(cd "$(dirname "$0")/.." && pwd)"
  if [ -f "$root/node_modules/.package-lock.json" ] &&
     [ "$root/node_modules/.package-lock.json" -nt "$root/package-lock.json" ]; then
    echo "setup: web packages present"
    return 0
  fi
  echo "setup: npm ci (web app and browser-test packages)"
  (cd "$root" && npm ci --no-audit --no-fund --silent)
}

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  command -v npm >/dev/null 2>&1 || { echo "setup: npm missing (apt-get install nodejs npm)" >&2; exit 1; }
  install_prism
  install_web
  exit 0
fi

echo "setup: installing ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  echo "setup: need root or sudo to install: ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
if ! command -v npm >/dev/null 2>&1; then
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends nodejs npm
fi
install_prism
install_web
