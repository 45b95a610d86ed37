#!/usr/bin/env bash
# Installs the Debian packages Tessera builds with, only those missing (DESIGN.md "Dependencies").
set -euo pipefail
packages=(cmake make g++ llvm-19-dev libzstd-dev libedit-dev libboost-dev libfmt-dev catch2 zlib1g-dev libpng-dev libcli11-dev nlohmann-json3-dev
          dataset-fashion-mnist)
missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "install-deps: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
