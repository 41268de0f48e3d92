#!/usr/bin/env python3
"""Mutation run: random one-line edits of the examples through scrcc.

Each mutant is one example with one line changed (an operator, a constant,
a field, a condition negated, a designated initializer repeated, a line
deleted). For each: if clang-19 compiles the mutant, scrcc must either
refuse it with an error message or write an SCR program and a reference
variant that clang-19 compiles; with --replay, scr-replay (lockstep, 2
replicas, a short trace) must find no divergence. If clang-19 refuses the
mutant, scrcc must refuse it too; a mutant whose behaviour C leaves
undefined (clang's -Wreturn-type, -Wuninitialized) is only counted. A crash
(signal), a hang, an output that does not compile, an SCR program that
does not load where the original does, or a divergence is a finding; the
mutant is kept under --keep DIR. Not a CI gate: the numbers go in the
report.

  bench/mutate.py [--mutants 500] [--seed 1] [--replay] [--keep DIR] [--json]
"""
import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = {"ddos": "zipf", "portknock": "portknock",
            "heavy_hitter": "tcp-flows", "token_bucket": "elephant",
            "conntrack": "conntrack", "lb": "tcp-flows"}
SWAPS = [("==", "!="), ("!=", "=="), ("<=", "<"), (">=", ">"), ("<", "<="),
         (">", ">="), (" + ", " - "), (" - ", " + "), (" & ", " | "),
         (" | ", " & "), ("<<", ">>"), (">>", "<<"), ("&&", "||"),
         ("||", "&&"), ("->saddr", "->daddr"), ("->daddr", "->saddr"),
         ("->source", "->dest"), ("->dest", "->source"), ("->syn", "->fin"),
         ("->ack", "->rst"), ("XDP_DROP", "XDP_PASS"),
         ("XDP_PASS", "XDP_DROP"), ("BPF_ANY", "BPF_NOEXIST")]


def mutants_of(lines, rnd):
    """One random one-line edit: (line number, new line, what)."""
    body = [i for i, l in enumerate(lines)
            if l.startswith("\t") and l.strip() and not
            l.strip().startswith(("/*", "*", "//", "#"))]
    while True:
        i = rnd.choice(body)
        line = lines[i]
        kind = rnd.choice(["swap", "swap", "const", "negate", "designator",
                           "delete"])
        if kind == "swap":
            cands = [(a, b) for a, b in SWAPS if a in line]
            if not cands:
                continue
            a, b = rnd.choice(cands)
            at = [m.start() for m in re.finditer(re.escape(a), line)]
            k = rnd.choice(at)
            return i, line[:k] + b + line[k + len(a):], "%s -> %s" % (a, b)
        if kind == "const":
            nums = list(re.finditer(r"(?<![\w.])\d+(?![\w.])", line))
            if not nums:
                continue
            m = rnd.choice(nums)
            v = int(m.group())
            new = str(rnd.choice([0, 1, v + 1, max(v - 1, 0), v * 2, 255]))
            return (i, line[:m.start()] + new + line[m.end():],
                    "%s -> %s" % (m.group(), new))
        if kind == "negate":
            m = re.search(r"\bif \((.*)\)\s*(\{)?\s*$", line)
            if not m:
                continue
            return (i, line[:m.start(1)] + "!(" + m.group(1) + ")" +
                    line[m.end(1):], "condition negated")
        if kind == "designator":
            m = re.match(r"^(\s*)(\.\w+) = (.*),\s*$", line)
            if not m:
                continue
            other = rnd.choice(["0", "1", m.group(3)])
            return (i, "%s%s = %s, %s = %s," % (m.group(1), m.group(2), other,
                                                  m.group(2), m.group(3)),
                    "designator %s repeated" % m.group(2))
        if kind == "delete":
            if not line.rstrip().endswith(";"):
                continue
            return i, "", "line deleted"


def run(cmd, timeout, **kw):
    try:
        p = subprocess.run(cmd, capture_output=True, text=True,
                           timeout=timeout, **kw)
        return p.returncode, p.stdout + p.stderr
    except subprocess.TimeoutExpired:
        return "timeout", ""


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--mutants", type=int, default=500)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--replay", action="store_true",
                    help="replay every mutant that compiles (needs root)")
    ap.add_argument("--keep", help="copy findings here")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    multiarch = subprocess.run(["gcc", "-print-multiarch"], text=True,
                               capture_output=True).stdout.strip()
    cc = ["clang-19", "-O2", "-g", "-target", "bpf",
          "-I/usr/include/" + multiarch, "-Wno-initializer-overrides", "-c"]
    # A mutant whose behaviour C leaves undefined (falling off the end of
    # the entry, an uninitialised read) has no verdict to compare: count it
    # with those clang refuses.
    cc_mutant = cc[:-1] + ["-Werror=return-type", "-Werror=uninitialized",
                           "-Werror=sometimes-uninitialized", "-c"]
    work = tempfile.mkdtemp(prefix="scr-mutate-")
    traces = {}
    if a.replay:
        for ex, kind in EXAMPLES.items():
            traces[ex] = os.path.join(work, ex + ".pcap")
            subprocess.run(["scr-trace", "--kind", kind, "--packets", "60",
                            "--seed", "7", "-o", traces[ex]], check=True)
    counts = {k: 0 for k in ["mutants", "clang_refuses", "undefined",
                             "scrcc_refuses",
                             "accepted", "replayed", "original_does_not_load",
                             "scr_does_not_load", "replay_errors", "crashes",
                             "does_not_compile", "divergences",
                             "accepted_invalid_c"]}
    findings = []
    start = time.monotonic()
    sources = {ex: open(os.path.join(ROOT, "examples", ex + ".bpf.c"))
               .read().split("\n") for ex in EXAMPLES}
    for n in range(a.mutants):
        ex = rnd.choice(sorted(EXAMPLES))
        lines = list(sources[ex])
        i, new, what = mutants_of(lines, rnd)
        lines[i] = new
        d = os.path.join(work, "m%d" % n)
        os.makedirs(d)
        src = os.path.join(d, ex + ".bpf.c")
        with open(src, "w") as f:
            f.write("\n".join(lines))
        # Includes next to the examples (common headers) still resolve.
        flags = ["--", "-I" + os.path.join(ROOT, "examples")]
        counts["mutants"] += 1
        crc, _ = run(cc + [src, "-o", os.path.join(d, "orig.o")], 60)
        urc = crc if crc != 0 else run(
            cc_mutant + [src, "-o", os.path.join(d, "orig.o")], 60)[0]
        rc, out = run(["scrcc", src, "--cores", "2", "-o",
                       os.path.join(d, "out")] + flags, 120)
        where = "%s:%d (%s)" % (ex, i + 1, what)
        finding = None
        if rc == "timeout" or not isinstance(rc, int) or rc < 0 or rc > 1:
            counts["crashes"] += 1
            finding = "crash/hang (%s): %s" % (rc, out[-300:])
        elif crc != 0:
            counts["clang_refuses"] += 1
            if rc == 0:
                counts["accepted_invalid_c"] += 1
                finding = "scrcc accepted C that clang refuses"
        elif urc != 0:
            counts["undefined"] += 1
        elif rc == 1:
            counts["scrcc_refuses"] += 1
            if "error" not in out:
                finding = "refused without a message"
        else:
            counts["accepted"] += 1
            bad = []
            for suffix in [".scr.bpf.c", ".ref.bpf.c"]:
                p = os.path.join(d, "out", ex + suffix)
                r, o = run(cc + [p, "-o", p[:-2] + ".o"], 60)
                if r != 0:
                    bad.append(o[-400:])
            if bad:
                counts["does_not_compile"] += 1
                finding = "output does not compile: " + bad[0]
            elif a.replay:
                r, o = run(["scr-replay", "--scr", os.path.join(d, "out"),
                            "--trace", traces[ex], "--cores", "2",
                            "--schedule", "lockstep", "--max-entries", "256",
                            "--quiet"], 300)
                counts["replayed"] += 1
                if r == 1:
                    counts["divergences"] += 1
                    finding = "divergence: " + o[-400:]
                elif r != 0:
                    # The original loads first: a refused SCR program is
                    # scrcc's, a refused original the mutant's own.
                    first = o.strip().split("\n")[0] if o.strip() else ""
                    if "cannot load" in first and ".ref.bpf." in first:
                        counts["original_does_not_load"] += 1
                    elif "cannot load" in first and ".scr.bpf." in first:
                        counts["scr_does_not_load"] += 1
                        finding = "SCR program does not load: " + o[-600:]
                    else:
                        counts["replay_errors"] += 1
                        finding = "replay error: " + o[-400:]
        if finding:
            findings.append({"mutant": where, "line": new.strip(),
                             "finding": finding})
            if a.keep:
                os.makedirs(a.keep, exist_ok=True)
                shutil.copy(src, os.path.join(a.keep, "m%d-%s" % (n, ex +
                                                                  ".bpf.c")))
        shutil.rmtree(d, ignore_errors=True)
    counts["seconds"] = round(time.monotonic() - start, 1)
    shutil.rmtree(work, ignore_errors=True)
    if a.json:
        print(json.dumps({"counts": counts, "findings": findings}, indent=1))
    else:
        for k, v in counts.items():
            print("%-20s %s" % (k, v))
        for f in findings:
            print("FINDING %s: `%s`: %s" % (f["mutant"], f["line"],
                                            f["finding"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
