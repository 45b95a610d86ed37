#!/usr/bin/env bash
# Tessera's safetensors files against an independent Python reader and writer (and torch where
# it is installed): python_interop.py, run in a scratch folder with /usr/bin/python3 (or
# TSR_PYTHON). Skipped (status 77) where that Python has no numpy.
set -u
tsr=$(cd "$(dirname "$1")" && pwd)/$(basename "$1"); here=$(cd "$(dirname "$0")" && pwd)
py=${TSR_PYTHON:-/usr/bin/python3}
if ! "$py" -c 'import numpy' 2> /dev/null; then
  echo "skipped: $py cannot import numpy (apt-get install python3-numpy)"
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" && PYTHONPATH="$here" "$py" "$here/python_interop.py" "$tsr"
