#!/usr/bin/env bash
# Measures full builds of generated galleries: wall time and peak memory.
# usage: scripts/bench.sh [N...]   (default: 1000 10000)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000)
for n in "${sizes[@]}"; do
  dir=$(mktemp -d)
  python3 scripts/gen-gallery.py "$n" "$dir"
  ./target/release/hindsight --root "$dir" build --quiet   # warm the page cache
  best=""
  for _ in 1 2 3; do
    out=$( { /usr/bin/time -f "%e %M" ./target/release/hindsight --root "$dir" build --quiet; } 2>&1 | tail -1)
    secs=${out% *}; kb=${out#* }
    if [ -z "$best" ] || awk "BEGIN{exit !($secs < ${best% *})}"; then best="$secs $kb"; fi
  done
  echo "postmortems=$n  wall=${best% *}s  peak_rss=$(( ${best#* } / 1024 ))MiB  (best of 3, $(nproc) cores)"
  rm -rf "$dir"
done
