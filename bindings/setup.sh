#!/usr/bin/env bash
# Installs what the binding tests need, from the package registries, and
# only what is missing (a second run does nothing):
#   - bindings/node: npm ci (jco and the preview2 shim, pinned by
#     package-lock.json) and `npm run build` (jco transpile of WASM into
#     bindings/node/component) when the component is newer than the output;
#   - a Python venv at VENV with the PyPI `wasmtime` (python/requirements.txt).
# Usage: setup.sh WASM PYTHON VENV   Prints the venv's python.
set -euo pipefail
wasm="$1"
python="$2"
venv="$3"
here="$(cd "$(dirname "$0")" && pwd)"

node_dir="$here/node"
if [ ! -f "$node_dir/node_modules/@bytecodealliance/jco/package.json" ] \
  || [ "$node_dir/package-lock.json" -nt "$node_dir/node_modules/.package-lock.json" ]; then
  echo "bindings: npm ci in $node_dir" >&2
  (cd "$node_dir" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi
if [ ! -f "$node_dir/component/woo_plugin.js" ] || [ "$wasm" -nt "$node_dir/component/woo_plugin.js" ]; then
  echo "bindings: jco transpile $wasm" >&2
  (cd "$node_dir" && node build.mjs "$wasm" >&2)
fi

want="$(cat "$here/python/requirements.txt")"
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$venv/.woo-requirements" 2>/dev/null)" != "$want" ]; then
  echo "bindings: installing $want into $venv" >&2
  "$python" -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/python/requirements.txt" >&2
  echo "$want" > "$venv/.woo-requirements"
fi
echo "$venv/bin/python"
