#!/usr/bin/env python3
"""Checks bench/results.json has, for each named example, the keys issues 8
and 13 ask for, with values of the right kind. Exit 1 and a message
otherwise."""
import json
import math
import sys

REQUIRED = ["c1_ns", "scr_k1_ns", "c2_ns", "entry_bits"]


def main():
    path, names = sys.argv[1], sys.argv[2:]
    with open(path) as f:
        results = json.load(f)
    errors = []
    for name in names:
        e = results.get("examples", {}).get(name)
        if e is None:
            errors.append("%s: missing" % name)
            continue
        for key in REQUIRED:
            v = e.get(key)
            if not isinstance(v, (int, float)) or not math.isfinite(v):
                errors.append("%s: %s is %r" % (name, key, v))
        if not isinstance(e.get("entry_bits"), int) or e["entry_bits"] <= 0:
            errors.append("%s: entry_bits must be a positive integer" % name)
        # Issue 13: the previous per-CPU design, timed in the same run.
        old = e.get("percpu") or {}
        for key in ("scr_k1_ns", "c2_ns"):
            v = old.get(key)
            if not isinstance(v, (int, float)) or not math.isfinite(v):
                errors.append("%s: percpu.%s is %r" % (name, key, v))
        vs = e.get("private_vs_percpu") or {}
        for key in ("k1_ratio", "c2_ratio", "k1_delta_ns", "c2_delta_ns"):
            if not isinstance(vs.get(key), (int, float)):
                errors.append("%s: private_vs_percpu.%s is %r"
                              % (name, key, vs.get(key)))
        # Issue 16: the speed-up at 14 cores, d = 100 ns, next to the
        # paper's (its Table 4 through the same model).
        sp = e.get("speedup") or {}
        if (sp.get("cores"), sp.get("d_ns")) != (14, 100.0) or not (
                isinstance(sp.get("ours"), (int, float)) and sp["ours"] > 0):
            errors.append("%s: speedup at 14 cores, d = 100 ns, is %r"
                          % (name, sp))
        elif e.get("paper") and not (
                isinstance(sp.get("paper"), float) and sp["paper"] > 1):
            errors.append("%s: the paper's speed-up is %r"
                          % (name, sp.get("paper")))
        if len(e.get("timing", {}).get("predicted_mpps", {}).get("d_here", [])) != 32:
            errors.append("%s: predicted throughput for k = 1..32 missing" % name)
    if not isinstance(results.get("dispatch", {}).get("live_drop_ns"), (int, float)):
        errors.append("dispatch: live_drop_ns missing")
    for e in errors:
        print("check-results: " + e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
