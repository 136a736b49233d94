#!/usr/bin/env bash
# Regenerates the figures the README shows (docs/img/): the built-in comparison in English and
# Chinese, 8 replications, and the baseline's dashboard. About 4 minutes on 2 cores.
#   scripts/readme-figures.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=./target/release/chancheng
work=target/readme-figures
"$bin" report --runs 8 --years 2025,2035 --lang en --quiet --force --out "$work/en" >/dev/null
"$bin" report --runs 8 --years 2025,2035 --lang zh --quiet --force --out "$work/zh" >/dev/null
"$bin" run --quiet --force --lang en --out "$work/baseline"
mkdir -p docs/img
cp "$work/en/figures/comparison.png" docs/img/comparison-en.png
cp "$work/en/figures/differences.png" docs/img/differences-en.png
cp "$work/zh/figures/map.png" docs/img/map-zh.png
cp "$work/en/figures/cost_effectiveness.png" docs/img/cost-effectiveness-en.png
cp "$work/baseline/dashboard.png" docs/img/dashboard-en.png
echo "wrote docs/img/ (reports in $work/en and $work/zh)"
