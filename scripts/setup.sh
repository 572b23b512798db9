#!/usr/bin/env bash
# Installs every system dependency of disputed from Debian 12 packages.
# Idempotent: does nothing when everything is present. Works as root or through sudo.
set -euo pipefail

packages=(
  cmake g++ make pkg-config ca-certificates tzdata sqlite3 python3 python3-yaml curl wrk
  libboost-dev libboost-filesystem-dev libboost-system-dev
  libcpprest-dev nlohmann-json3-dev liboauth2-dev libsqlite3-dev libgtest-dev libgmock-dev
  libvalijson-dev libhowardhinnant-date-dev libbenchmark-dev
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
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
