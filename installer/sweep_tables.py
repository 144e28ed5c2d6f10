#!/usr/bin/python3
"""Markdown tables of `fsllm sweep` folders for docs/RESULTS.md:

    installer/sweep_tables.py SWEEP_DIR [SWEEP_DIR ...] > tables.md

Each SWEEP_DIR holds run folders and the summary.csv that `fsllm sweep` wrote (one row per
configuration: the selection metric's mean and standard deviation over the seeds, the difference
to the causal configuration with the same other settings, its paired-bootstrap 95% CI and p, and
McNemar's p). This script adds, from each run's best/dev_metrics.json, the second score the
summary does not carry (macro F1 for sequence tasks, token accuracy for token tasks) as mean +-
std over the same seeds, and prints one table per sweep.
"""
import csv
import json
import os
import re
import statistics
import sys
from collections import defaultdict

RUN_NAME = re.compile(
    r"^(?P<data>.+?)-(?P<mask>causal|bidirectional|decay)(?P<lam>[0-9.]+)?"
    r"(?:-from(?P<k>\d+))?-(?P<head>fs|linear)-s(?P<seed>\d+)$")


def key(mask, lam, k, head):
    return (mask, float(lam) if lam not in (None, "", "-") else None, int(k or 0), head)


def runs_of(sweep):
    """configuration key -> list of best/dev_metrics.json objects (one per seed)."""
    found = defaultdict(list)
    for name in sorted(os.listdir(sweep)):
        m = RUN_NAME.match(name)
        path = os.path.join(sweep, name, "best", "dev_metrics.json")
        if not m or not os.path.isfile(path):
            continue
        with open(path, encoding="utf-8") as f:
            metrics = json.load(f)
        found[key(m["mask"], m["lam"], m["k"], m["head"])].append(metrics)
    return found


def mean_std(values):
    if not values:
        return "-"
    mean = 100 * statistics.mean(values)
    std = 100 * statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{mean:.2f} ± {std:.2f}"


def describe(row):
    mask = row["mask"]
    text = {"causal": "causal (w/o FS)", "bidirectional": "bidirectional"}.get(mask, mask)
    if mask == "decay":
        text = f"decay λ = {row['lambda']}"
    if int(row["mask_from_layer"] or 0) > 0:
        text += f", from layer {row['mask_from_layer']}"
    return f"{text}, {row['head']} head"


def pct(value, signed=False):
    if value in ("", None):
        return "-"
    return f"{100 * float(value):+.2f}" if signed else f"{100 * float(value):.2f}"


def p_value(text):
    """The summary's p as the studio shows it: 3 decimals, "<0.001" below that."""
    if text in ("", None):
        return "-"
    value = float(text)
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def table(sweep):
    with open(os.path.join(sweep, "summary.csv"), encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    runs = runs_of(sweep)
    token = rows and rows[0]["metric"] != "accuracy"
    second = "token accuracy" if token else "macro F1"
    lines = [
        f"| configuration | seeds | {rows[0]['metric'] if rows else 'score'} (mean ± std) | "
        f"{second} (mean ± std) | Δ vs causal | 95% CI of Δ | p (bootstrap) | p (McNemar) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        metrics = runs.get(key(row["mask"], row["lambda"], row["mask_from_layer"], row["head"]), [])
        other = [m["accuracy"] if token else m["f1"] for m in metrics]
        baseline = row["baseline"] == "yes"
        ci = "-" if baseline or row["ci_low"] == "" else \
            f"[{pct(row['ci_low'], True)}, {pct(row['ci_high'], True)}]"
        p_bootstrap = p_value(row["p_bootstrap"])
        p_mcnemar = p_value(row["p_mcnemar"])
        difference = "baseline" if baseline else pct(row["difference"], True)
        lines.append(f"| {describe(row)} | {row['runs']} | {pct(row['mean'])} ± {pct(row['std'])} | "
                     f"{mean_std(other)} | {difference} | {ci} | {p_bootstrap} | {p_mcnemar} |")
    return "\n".join(lines)


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    for sweep in argv[1:]:
        print(f"#### {sweep}\n\n{table(sweep)}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
