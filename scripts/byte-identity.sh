#!/usr/bin/env bash
# Byte-identity check of a change that should not change results: runs the baseline,
# all-recommendations, region and the prefecture at seed 1 with two builds of chancheng and
# compares their timeseries.csv and firms.csv; prints each run's time.
#
#   scripts/byte-identity.sh OLD_BINARY NEW_BINARY [SCENARIO...]
#
# e.g. build the commit before the change into another target directory:
#   git worktree add /tmp/before HEAD~1 && (cd /tmp/before && cargo build --release)
#   scripts/byte-identity.sh /tmp/before/target/release/chancheng target/release/chancheng
set -euo pipefail
if [ $# -lt 2 ]; then
    echo "usage: $0 OLD_BINARY NEW_BINARY [SCENARIO...]" >&2
    exit 2
fi
old=$1
new=$2
shift 2
cd "$(dirname "$0")/.."
scenarios=("$@")
if [ ${#scenarios[@]} -eq 0 ]; then
    scenarios=(baseline all-recommendations region zhumadian)
fi
tmp=$(mktemp -d)
status=0
for s in "${scenarios[@]}"; do
    if [ "$s" = baseline ]; then arg=(); else arg=("scenarios/$s.toml"); fi
    for side in old new; do
        bin=${!side}
        start=$(date +%s.%N)
        "$bin" run "${arg[@]}" --seed 1 --quiet --force --out "$tmp/$side/$s" >/dev/null 2>&1
        end=$(date +%s.%N)
        awk -v s="$s" -v side="$side" -v a="$start" -v b="$end" \
            'BEGIN { printf "%-20s %-3s %6.2f s\n", s, side, b - a }'
    done
    for file in timeseries.csv firms.csv; do
        if cmp -s "$tmp/old/$s/$file" "$tmp/new/$s/$file"; then
            echo "$s $file: identical"
        else
            echo "$s $file: DIFFERENT"
            status=1
        fi
    done
done
rm -rf "$tmp"
exit $status
