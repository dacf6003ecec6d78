#!/usr/bin/env bash
# Installs the official MCP Python SDK (PyPI `mcp`) into a venv, the way
# bench/run.sh installs the benchmark's peers, and prints the venv's python.
# Usage: setup.sh PYTHON VENV_DIR   (PYTHON must be 3.10 or newer).
set -euo pipefail
python="$1"
venv="$2"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import mcp.client.stdio' 2>/dev/null; then
  echo "mcp_sdk: installing the MCP Python SDK into $venv" >&2
  "$python" -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'mcp>=1.10,<2' >&2
fi
echo "$venv/bin/python"
