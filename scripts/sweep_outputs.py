#!/usr/bin/env python3
"""Carry a long sweep between machines in a small file, and read its finished part.

A sweep's journal (`runs.partial.csv`) and `runs.csv` repeat every parameter of every run, which
`design.csv` already holds: a grouped Sobol study of the baseline at N = 2048 is 75 MB of them.
This keeps only what the runs produced, so that a sweep longer than one sitting can be saved with
the study, resumed elsewhere, and analysed on its complete base samples before it ends.

    sweep_outputs.py pack SWEEP_DIR OUTPUTS_CSV
        runs finished so far (journal or runs.csv) -> run,sample,replication,seed,<outputs>,status
    sweep_outputs.py unpack OUTPUTS_CSV DESIGN_CSV JOURNAL_CSV
        the journal back, byte for byte, from the packed outputs and the design
        (`chancheng design` with the sweep's method, params and n writes the same design,
        without the sample column); `chancheng sweep ... --resume` then completes it
    sweep_outputs.py complete OUTPUTS_CSV DESIGN_CSV RUNS_PER_BASE_SAMPLE DIR
        the Saltelli base samples whose runs have all finished (a parallel sweep finishes them in
        several blocks, not from the start): DIR/design.csv and DIR/outputs.csv (one row of outputs
        per design row), which `chancheng analyze` reads as a design of that many base samples
"""
import csv
import os
import sys


def finished_lines(sweep_dir):
    """The sweep's finished runs, by run number (complete lines of runs.csv or the journal)."""
    lines = {}
    for name in ("runs.csv", "runs.partial.csv"):
        path = os.path.join(sweep_dir, name)
        if not os.path.exists(path):
            continue
        with open(path, newline="") as f:
            for line in f:
                if not line.endswith("\n") or line.startswith("run,"):
                    continue
                lines[int(line.split(",", 1)[0])] = line
    return lines


def outputs_of(sweep_dir):
    """The output names, from sweep.json (the columns after the parameters)."""
    import json

    with open(os.path.join(sweep_dir, "sweep.json")) as f:
        manifest = json.load(f)
    return manifest["outputs"], len(manifest["parameters"])


def pack(sweep_dir, dest):
    outputs, n_params = outputs_of(sweep_dir)
    lines = finished_lines(sweep_dir)
    with open(dest, "w", newline="") as f:
        f.write(",".join(["run", "sample", "replication", "seed", *outputs, "status"]) + "\n")
        for run in sorted(lines):
            fields = lines[run].rstrip("\n").split(",")
            f.write(",".join(fields[:4] + fields[4 + n_params :]) + "\n")
    print(f"{dest}: {len(lines)} runs", file=sys.stderr)


def read_design(path):
    """Design rows as text (the parameter values exactly as written), without a sample column."""
    with open(path, newline="") as f:
        header = f.readline().rstrip("\n").split(",")
        skip = 1 if header[0] == "sample" else 0
        return [line.rstrip("\n").split(",", skip)[skip] for line in f]


def unpack(packed, design, journal):
    rows = read_design(design)
    n = 0
    with open(packed, newline="") as f, open(journal, "w", newline="") as out:
        f.readline()
        for line in f:
            fields = line.rstrip("\n").split(",")
            sample = int(fields[1])
            out.write(",".join(fields[:4] + [rows[sample]] + fields[4:]) + "\n")
            n += 1
    print(f"{journal}: {n} runs", file=sys.stderr)


def complete(packed, design, per_base, out_dir):
    rows = read_design(design)
    with open(design, newline="") as f:
        header = f.readline().rstrip("\n").split(",")
    if header[0] == "sample":
        header = header[1:]
    with open(packed, newline="") as f:
        reader = csv.reader(f)
        names = next(reader)
        by_sample = {}
        for r in reader:
            if r[-1] == "ok":
                by_sample[int(r[1])] = r[4:-1]
    bases = [
        b
        for b in range(len(rows) // per_base)
        if all(b * per_base + k in by_sample for k in range(per_base))
    ]
    picked = [b * per_base + k for b in bases for k in range(per_base)]
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "design.csv"), "w", newline="") as f:
        f.write(",".join(header) + "\n")
        f.writelines(rows[i] + "\n" for i in picked)
    with open(os.path.join(out_dir, "outputs.csv"), "w", newline="") as f:
        f.write(",".join(names[4:-1]) + "\n")
        f.writelines(",".join(by_sample[i]) + "\n" for i in picked)
    print(f"{out_dir}: {len(bases)} complete base samples ({len(picked)} runs)", file=sys.stderr)


if __name__ == "__main__":
    args = sys.argv[1:]
    if len(args) == 3 and args[0] == "pack":
        pack(args[1], args[2])
    elif len(args) == 4 and args[0] == "unpack":
        unpack(args[1], args[2], args[3])
    elif len(args) == 5 and args[0] == "complete":
        complete(args[1], args[2], int(args[3]), args[4])
    else:
        sys.exit(__doc__)
