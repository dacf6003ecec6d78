#!/usr/bin/env bash
# The layering rules, checked with grep (run from anywhere; exit 1 on a breach):
#  1. no module of the plugin imports a module that imports it back: the
#     `crate::<module>` references between top-level modules of plugin/src,
#     and the `super::<module>` / `crate::<dir>::<module>` references between
#     the modules of each plugin/src/<dir>/, form no cycle (`tsort` finds one);
#  2. the host sees the guest only through the WIT: no `woo_plugin` path in
#     host-harness/src outside the benchmark (bench/), whose native baseline
#     is the one reason the host links the plugin crate.
set -euo pipefail
cd "$(dirname "$0")/.."
fail=0

# Prints "from to" for each reference from a file of unit $2 to another unit,
# where units are the entries (file stems or directories) of folder $1.
edges() {
  local dir=$1 prefix=$2
  for entry in "$dir"/*; do
    local unit; unit=$(basename "$entry" .rs)
    [ "$unit" = lib ] || [ "$unit" = mod ] || [ "$unit" = main ] && continue
    local files; files=$( [ -d "$entry" ] && find "$entry" -name '*.rs' || echo "$entry")
    # `crate::a::b`, `super::b` (from a file directly in $dir), and `use crate::{a, b}` lists.
    { grep -ohE "${prefix}[a-z_]+" $files | sed "s/^${prefix}//" || true
      [ "$prefix" != "crate::" ] && { grep -ohE 'super::[a-z_]+' $( [ -d "$entry" ] && echo "" || echo "$entry" ) 2>/dev/null | sed 's/^super:://' || true; }
      grep -ohE "use ${prefix}\{[^}]*\}" $files | sed -E "s/^use ${prefix}\{//; s/\}$//" | tr ',' '\n' | sed -E 's/^ *([a-z_]+).*/\1/' || true
    } | sort -u | while read -r to; do
      if [ -n "$to" ] && [ "$to" != "$unit" ] && [ "$to" != self ] && { [ -e "$dir/$to.rs" ] || [ -d "$dir/$to" ]; }; then
        echo "$unit $to"
      fi
    done
  done
}

check() {
  local dir=$1 prefix=$2 out
  out=$(edges "$dir" "$prefix" | sort -u)
  if ! printf '%s\n' "$out" | tsort >/dev/null 2>/tmp/check-layers.$$; then
    echo "cycle among the modules of $dir:" >&2
    grep -v '^tsort: -:' /tmp/check-layers.$$ | sed 's/^tsort: /  /' >&2 || true
    echo "  references ($prefix):" >&2
    printf '    %s\n' "$out" >&2
    fail=1
  fi
  rm -f /tmp/check-layers.$$
}

check plugin/src "crate::"
for d in plugin/src/*/; do
  d=${d%/}
  check "$d" "crate::$(basename "$d")::"
done

reach=$(grep -rn 'woo_plugin' host-harness/src --include='*.rs' | grep -v '^host-harness/src/bench/' || true)
if [ -n "$reach" ]; then
  echo "the host reaches into the plugin crate outside the benchmark:" >&2
  printf '  %s\n' "$reach" >&2
  fail=1
fi

[ $fail = 0 ] && echo "layers: no plugin module cycle; the host uses woo_plugin only in bench/"
exit $fail
