#!/usr/bin/env python3
"""Checks scr-bench's --json: the quantities are there, the costs and the
predictions positive, the curve has one point per K.

usage: check-scr-bench.py RESULT.json KMAX"""
import json
import math
import sys

r = json.load(open(sys.argv[1]))
kmax = int(sys.argv[2])
t = r["timing"]
errors = []
for what, v in (("c1", t["c1_ns"]), ("SCR at K=1", t["scr_k1_ns"]),
                ("c2", t["c2_ns"]), ("d", r["dispatch_ns"]),
                ("speed-up", r["speedup"]["ours"]),
                ("speed-up, d here", r["speedup"]["ours_d_here"])):
    if not (isinstance(v, (int, float)) and math.isfinite(v) and v > 0):
        errors.append("%s is not positive: %r" % (what, v))
for which in ("d_here", "d_paper", "linear_d_paper"):
    if not all(v > 0 for v in r["predicted_mpps"][which]):
        errors.append("predicted %s not positive" % which)
if t["cost_curve"]["k"] != list(range(1, kmax + 1)):
    errors.append("cost curve over K %r" % t["cost_curve"]["k"])
for part in ("walk_ns", "decode_ns", "slice_ns"):
    if not math.isfinite(r["breakdown"][part]):
        errors.append("breakdown %s missing" % part)
# The parts add up to c2 (decode_only - walk + walk + c2 - decode_only).
b = r["breakdown"]
if abs(b["walk_ns"] + b["decode_ns"] + b["slice_ns"] - t["c2_ns"]) > 1e-6:
    errors.append("breakdown does not add up to c2")
if r["speedup"]["cores"] != 14 or r["speedup"]["d_ns"] != 100:
    errors.append("speed-up not at 14 cores, d = 100 ns")
for e in errors:
    print("check-scr-bench: " + e)
sys.exit(1 if errors else 0)
