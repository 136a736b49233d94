#!/usr/bin/env bash
# Parallel scaling of replications: `compare` of the baseline with R replications on 1, 2, 4, 8
# and 16 threads (those the machine has), wall time and speed-up, and a check that compare.csv is
# byte-identical on every thread count. Prepared for a 16-core machine (docs/PERFORMANCE.md):
#   scripts/thread-scaling.sh [RUNS]        (default 32 replications of 120 months)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-32}"
cargo build --release --quiet
bin=target/release/chancheng
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A ten-year horizon keeps the 1-thread run to a few minutes.
printf 'extends = "baseline.toml"\nname = "scaling"\n[time]\nmonths = 120\n' > "$work/scaling.toml"
cores=$(nproc)
printf 'machine: %s, %s cores\n' "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" "$cores"
printf '%8s %10s %9s\n' threads seconds speedup
base=""
for t in 1 2 4 8 16; do
  [ "$t" -le "$cores" ] || break
  start=$(date +%s.%N)
  RAYON_NUM_THREADS=$t "$bin" compare "$work/scaling.toml" --runs "$runs" --quiet \
    --out "$work/out-$t" > /dev/null 2>&1
  end=$(date +%s.%N)
  secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')
  [ -n "$base" ] || base=$secs
  printf '%8d %10.2f %8.2fx\n' "$t" "$secs" "$(awk -v a="$base" -v b="$secs" 'BEGIN { print a / b }')"
  if [ "$t" -gt 1 ] && ! cmp -s "$work/out-1/compare.csv" "$work/out-$t/compare.csv"; then
    echo "compare.csv differs between 1 and $t threads" >&2
    exit 1
  fi
done
echo "compare.csv identical on every thread count"
