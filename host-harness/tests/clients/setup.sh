#!/usr/bin/env bash
# Installs the WooCommerce REST clients that other people wrote, from their
# registries, the way bench/run.sh installs the benchmark's peers: the PyPI
# `woocommerce` package into a venv and the npm `@woocommerce/woocommerce-rest-api`
# package into a folder's node_modules. Idempotent and quiet (progress on stderr).
# Usage: setup.sh PYTHON VENV_DIR NODE_DIR   (PYTHON 3.10 or newer, npm on PATH;
# `-` for PYTHON or NODE_DIR skips that client). Prints the venv's python and
# the folder holding node_modules, one a line (`-` for a skipped one).
set -euo pipefail
python="$1"
venv="$2"
node_dir="$3"
if [ "$python" = - ]; then
  echo -
else
  if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import woocommerce' 2>/dev/null; then
    echo "clients: installing the PyPI woocommerce client into $venv" >&2
    "$python" -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check 'woocommerce>=3,<4' >&2
  fi
  echo "$venv/bin/python"
fi
if [ "$node_dir" = - ]; then
  echo -
else
  if [ ! -f "$node_dir/node_modules/@woocommerce/woocommerce-rest-api/package.json" ]; then
    echo "clients: installing the npm @woocommerce/woocommerce-rest-api client into $node_dir" >&2
    mkdir -p "$node_dir"
    [ -f "$node_dir/package.json" ] || echo '{"name": "woo-clients-test", "private": true}' > "$node_dir/package.json"
    (cd "$node_dir" && npm install --silent --no-audit --no-fund '@woocommerce/woocommerce-rest-api@^1.0.1' >&2)
  fi
  echo "$node_dir"
fi
