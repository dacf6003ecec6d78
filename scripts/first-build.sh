#!/usr/bin/env bash
# A newcomer's first run, timed: clones this repository's HEAD into a
# scratch directory (an empty target/ and an empty compiled-component
# cache; crates come from the local cargo registry, as after any earlier
# build), runs the README's first command there and prints the seconds it
# took until `woo demo` finished printing. Progress goes to stderr; stdout
# is the number alone.
#   scripts/first-build.sh            # e.g. 466
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
scratch="$(mktemp -d "${TMPDIR:-/tmp}/woo-first-build.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT
git clone --quiet "$repo" "$scratch/main"
# The clone is of HEAD: uncommitted changes are not measured.
[ -e "$repo/../shared" ] && ln -s "$repo/../shared" "$scratch/shared"
cd "$scratch/main"
echo "first-build: cargo run -p woo-host --bin woo -- demo, in $scratch/main" >&2
start=$(date +%s.%N)
WOO_CACHE_DIR="$scratch/cache" CARGO_TARGET_DIR="$scratch/main/target" \
  cargo run -q -p woo-host --bin woo -- --db "$scratch/demo.db" demo >"$scratch/demo.out" 2>"$scratch/demo.err" || {
  echo "first-build: woo demo failed:" >&2; tail -20 "$scratch/demo.err" >&2; exit 1; }
end=$(date +%s.%N)
head -3 "$scratch/demo.out" | sed 's/^/first-build: demo said: /' >&2
awk -v s="$start" -v e="$end" 'BEGIN { printf "%.0f\n", e - s }'
