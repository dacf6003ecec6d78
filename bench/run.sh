#!/usr/bin/env bash
# The benchmark, with its peers: makes a Python virtual environment with the
# PyPI `woocommerce` client and `airbyte-source-woocommerce` (first run only),
# builds woo in release, and prints the table of BENCHMARKS.md.
#   bench/run.sh                      # the default store (10,000 / 50,000 / 2,000)
#   bench/run.sh --orders 5000 ...    # any `woo bench` flag
#   bench/run.sh --first-build        # also time a fresh clone's first `woo demo`
#                                     # (scripts/first-build.sh, ~8 min, run first
#                                     # so that nothing else shares the cores)
set -euo pipefail
cd "$(dirname "$0")/.."
args=()
first_build=""
for a in "$@"; do
  if [ "$a" = "--first-build" ]; then first_build=1; else args+=("$a"); fi
done
if [ -n "$first_build" ]; then
  seconds="$(scripts/first-build.sh)"
  args+=(--first-build-seconds "$seconds")
fi
venv="target/bench-venv"
# The peers install while woo builds (both only the first time).
install_peers() {
  python=""
  for p in python3.11 python3.10 python3; do
    if command -v "$p" >/dev/null && "$p" -c 'import sys; sys.exit(not ((3, 10) <= sys.version_info[:2] < (3, 12)))'; then python="$p"; break; fi
  done
  [ -n "$python" ] || { echo "bench: airbyte-source-woocommerce needs Python 3.10 or 3.11" >&2; return 1; }
  echo "bench: installing the peers into $venv" >&2
  "$python" -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check woocommerce airbyte-source-woocommerce >&2
}
peers=""
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import woocommerce, source_woocommerce' 2>/dev/null; then
  install_peers & peers=$!
fi
cargo build --release -p woo-host --bin woo >&2
if [ -n "$peers" ]; then wait "$peers"; fi
exec target/release/woo bench --python "$venv/bin/python" ${args[@]+"${args[@]}"}
