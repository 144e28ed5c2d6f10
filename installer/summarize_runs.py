#!/usr/bin/python3
"""Markdown tables of the best dev scores of run folders, one table per data set, for
docs/RESULTS.md:  installer/summarize_runs.py ABLATIONS_DIR > table.md

ABLATIONS_DIR holds <dataset>/<run>/ folders as written by installer/run-ablations.sh. For each
run: the evaluation marked best in metrics.jsonl (selected on dev), the number of optimizer steps,
and the wall time of the whole run. Seeds of the same configuration ("<name>-s<seed>") are
averaged, with the spread (min-max) shown when there is more than one.
"""
import json
import os
import re
import sys
from collections import defaultdict

ORDER = ["zeroshot", "causal-last", "decay0.1", "decay0.5", "decay1", "decay2", "bidirectional"]
LABELS = {
    "zeroshot": "w/o LS (zero-shot verbalizers)",
    "causal-last": "w/o FS (causal mask, last token)",
    "bidirectional": "FS, bidirectional (lambda = 0)",
}


def describe(name):
    if name in LABELS:
        return LABELS[name]
    m = re.match(r"decay([0-9.]+)", name)
    return f"FS, decay lambda = {m.group(1)}" if m else name


def best_eval(run_dir):
    best, steps, wall = None, 0, 0.0
    with open(os.path.join(run_dir, "metrics.jsonl")) as f:
        for line in f:
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            steps = max(steps, record.get("step", 0))
            wall = max(wall, record.get("wall_time", 0.0))
            if record.get("type") == "eval" and record.get("best"):
                best = record
    return best, steps, wall


def main():
    root = sys.argv[1]
    for dataset in sorted(os.listdir(root)):
        path = os.path.join(root, dataset)
        if not os.path.isdir(path):
            continue
        groups = defaultdict(list)
        for run in sorted(os.listdir(path)):
            run_dir = os.path.join(path, run)
            if not os.path.isfile(os.path.join(run_dir, "metrics.jsonl")):
                continue
            best, steps, wall = best_eval(run_dir)
            if best:
                groups[re.sub(r"-s\d+$", "", run)].append((best, steps, wall))
        if not groups:
            continue
        token = dataset == "conll2003"
        print(f"\n### {dataset} (dev)\n")
        metric = "entity" if token else "macro"
        print(f"| configuration | accuracy | {metric} P | {metric} R | {metric} F1 | seeds | steps | wall time |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for name in sorted(groups, key=lambda n: ORDER.index(n) if n in ORDER else 99):
            runs = groups[name]

            def cell(key):
                values = [100 * b[key] for b, _, _ in runs]
                mean = sum(values) / len(values)
                spread = f" ({min(values):.1f}-{max(values):.1f})" if len(values) > 1 else ""
                return f"{mean:.2f}{spread}"

            steps = runs[0][1]
            wall = sum(w for _, _, w in runs) / len(runs)
            print(f"| {describe(name)} | {cell('accuracy')} | {cell('precision')} | "
                  f"{cell('recall')} | {cell('f1')} | {len(runs)} | {steps} | {wall:.0f} s |")


if __name__ == "__main__":
    main()
