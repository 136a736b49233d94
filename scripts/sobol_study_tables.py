#!/usr/bin/env python3
"""The results tables of the baseline's grouped Sobol study, in Markdown, from its own files.

    sobol_study_tables.py INDICES.json OUTPUTS.csv [BLOCK]

INDICES.json is `chancheng analyze --method sobol --format json` of the study; OUTPUTS.csv the
outputs it analysed (one row per run of the Saltelli design, BLOCK rows per base sample: A, one
row per group, B; 9 for seven groups). Prints the outputs' spread over the independent A and B
rows, one S1/ST table per output sorted by ST, and the widest ST half-width of the four outputs
the study's target names, so the study's README is written from numbers, not copied by hand.
"""

import csv
import json
import sys

# Outputs as the study names them: label, scale (divide by), decimals.
OUTPUTS = {
    "gdp@final": ("GDP (bn CNY/yr, 2015 prices)", 1e9, 1),
    "employment@final": ("employment in modelled firms", 1, 0),
    "pendulum_index@final": ("pendulum index", 1, 3),
    "coupling_coordination@final": ("D", 1, 3),
    "zone_residents@final": ("zone residents", 1, 0),
    "debt_incl_ppp@final": ("debt incl. PPP (bn CNY, 2015 prices)", 1e9, 2),
    "max:debt_to_revenue": ("highest debt/revenue over the run", 1, 2),
}
TARGET = [
    "gdp@final",
    "employment@final",
    "pendulum_index@final",
    "coupling_coordination@final",
]


def quantile(sorted_values, q):
    """Linear interpolation between order statistics (numpy's default)."""
    pos = q * (len(sorted_values) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def number(value, decimals):
    return f"{value:,.{decimals}f}"


def main(argv):
    if len(argv) not in (3, 4):
        sys.exit(__doc__)
    indices = json.load(open(argv[1], encoding="utf-8"))
    block = int(argv[3]) if len(argv) == 4 else 9
    with open(argv[2], newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    if not rows or len(rows) % block:
        sys.exit(f"{argv[2]}: {len(rows)} rows is not a whole number of blocks of {block}")
    n = len(rows) // block
    independent = [r for i, r in enumerate(rows) if i % block in (0, block - 1)]
    print(f"Spread of the outputs over the {len(independent):,} independent samples "
          f"(the A and B rows of N = {n:,} base samples), means over 2035 (the run's last 12 months):\n")
    print("| output | mean | 5 % | median | 95 % |")
    print("|---|---:|---:|---:|---:|")
    for key, (label, scale, dp) in OUTPUTS.items():
        if key not in rows[0]:
            continue
        v = sorted(float(r[key]) / scale for r in independent)
        cells = [sum(v) / len(v), quantile(v, 0.05), quantile(v, 0.5), quantile(v, 0.95)]
        print(f"| {label} | " + " | ".join(number(c, dp) for c in cells) + " |")
    print("\nSobol indices per group (± the half-width of the 95 % bootstrap interval), "
          "sorted by ST:")
    for key, (label, _, _) in OUTPUTS.items():
        groups = indices.get(key)
        if not groups:
            continue
        print(f"\n**{label}** (`{key}`)\n")
        print("| group | S1 | ST |")
        print("|---|---:|---:|")
        for g, x in sorted(groups.items(), key=lambda kv: -kv[1]["ST"]):
            print(f"| `{g}` | {x['S1']:.3f} ± {x['S1_conf']:.3f} | "
                  f"{x['ST']:.3f} ± {x['ST_conf']:.3f} |")
    widest = max(
        ((indices[k][g]["ST_conf"], k, g) for k in TARGET if k in indices for g in indices[k]),
        default=None,
    )
    if widest:
        half, key, group = widest
        print(f"\nWidest ST half-width of the target's four outputs: ±{half:.3f} "
              f"(`{key}`, `{group}`), at N = {n:,}.")


if __name__ == "__main__":
    main(sys.argv)
