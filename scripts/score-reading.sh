#!/usr/bin/env bash
# Scores Hindsight's reading against labelled postmortems, one half at a time.
#   scripts/score-reading.sh [even|odd|all] [score-extraction flags...]
# The course corpus (../shared/corpus/alx, beside the checkout) and the project's own
# reading fixtures (tests/fixtures/reading) are split by the parity of the file's number:
# develop against `even`; score `odd` only at the end of a piece of work.
# FIXTURE_SETS (default: every folder of tests/fixtures/reading) picks fixture sets,
# e.g. FIXTURE_SETS="d e" to score sets written later, whole.
set -euo pipefail
cd "$(dirname "$0")/.."
half=${1:-even}
shift || true
flags=()
[ "$half" = all ] || flags=(--half "$half")
cargo build --release --quiet
out=target/reading
mkdir -p "$out"
scorer=../shared/tools/score-extraction
if [ -d ../shared/corpus/alx ]; then
  ./target/release/hindsight --quiet check --format json ../shared/corpus/alx > "$out/corpus.json" || true
  echo "== course corpus ($half)"
  "$scorer" ../shared/corpus/alx/labels.jsonl "$out/corpus.json" "${flags[@]}" "$@"
fi
sets=${FIXTURE_SETS:-$(cd tests/fixtures/reading && ls -d */ | tr -d /)}
: > "$out/fixtures-labels.jsonl"
dirs=()
for s in $sets; do
  cat "tests/fixtures/reading/$s/labels.jsonl" >> "$out/fixtures-labels.jsonl"
  dirs+=("tests/fixtures/reading/$s")
done
./target/release/hindsight --quiet check --format json "${dirs[@]}" > "$out/fixtures.json" || true
echo "== reading fixtures $sets ($half)"
"$scorer" "$out/fixtures-labels.jsonl" "$out/fixtures.json" "${flags[@]}" "$@"
