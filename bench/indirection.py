#!/usr/bin/env python3
"""What private replicas cost, and where: hand-made emitter changes timed
against today's SCR program and the previous per-CPU design.

  bench/indirection.py [--examples a,b] [--variants v,w] [--ks 1,8,16]
                       [--rounds 41] [--repeat 200000] [--tools DIR]
                       [--json OUT]

For every example: scrcc's output at each K, turned into the variants of
bench/scrbench/handopt.py (today's program, the previous design, no
indirection, indirection once per frame, ...), all timed in interleaved
rounds on one pinned CPU by scr-xdp-bench, the same method as bench/run.py
(SCR at K=1 = c1 + variant(K=1) - harnessed original; c2 = slope over K-1).
Prints, per example, SCR at K=1 and c2 of each variant and the paired
per-round differences against today's program and the previous design.
docs/performance.md has the numbers and what they mean for the emitter.
"""
import argparse
import concurrent.futures
import json
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import run as R  # noqa: E402
from scrbench import analysis, handopt, paper, variants  # noqa: E402


def prepare(name, ks, work, tools, pool, only=None):
    src = os.path.join(R.ROOT, "examples", name + ".bpf.c")
    d = os.path.join(work, name)
    os.makedirs(d, exist_ok=True)
    which = handopt.for_example(name)
    if only:
        # today's program and the previous design are what others compare to
        which = {k: v for k, v in which.items()
                 if k in only or k in ("private", "percpu")}

    def at_k(k):
        out = os.path.join(d, "k%d" % k)
        layout = R.scrcc(tools, src, k, out, "bpf,layout")
        entry = R.entry_of(layout)
        with open(os.path.join(out, name + ".scr.bpf.c")) as f:
            generated = f.read()
        progs = []
        for label, (_, fn) in which.items():
            c = os.path.join(out, "hand.%s.bpf.c" % label)
            with open(c, "w") as f:
                f.write(variants.scr_bench_variant(fn(generated), entry))
            R.run(R.bpf_cc_args(c, c[:-2] + ".o", R.program_flags(out)),
                  "compiling " + c)
            progs.append({"name": "%s_k%d" % (label, k),
                          "object": c[:-2] + ".o", "entry": entry,
                          "layout": layout, "check_replay": True})
        return entry, progs

    done = list(pool.map(at_k, ks))
    entry = done[0][0]
    flags = R.program_flags(os.path.join(d, "k%d" % ks[0]))
    orig_o = os.path.join(d, "original.o")
    R.run(R.bpf_cc_args(src, orig_o, flags), "compiling " + src)
    h = os.path.join(d, "original_harness.bpf.c")
    with open(src) as f, open(h, "w") as g:
        g.write(variants.original_bench_variant(f.read(), entry))
    R.run(R.bpf_cc_args(h, h[:-2] + ".o", flags), "compiling " + h)
    empty_o = os.path.join(d, "empty.o")
    R.run(R.bpf_cc_args(os.path.join(HERE, "bpf", "empty_pass.bpf.c"),
                        empty_o), "compiling the empty program")
    return which, [{"name": "empty", "object": empty_o,
                    "entry": "bench_empty"},
                   {"name": "original", "object": orig_o, "entry": entry},
                   {"name": "original_harness", "object": h[:-2] + ".o",
                    "entry": entry}] + [p for _, ps in done for p in ps]


def table(name, which, res):
    out = ["#### %s (c1 = %.1f ns)\n" % (name, res["c1_ns"]),
           "| variant | what | SCR K=1 | c2 | Δ K=1 vs today | Δ c2 vs today "
           "| Δ K=1 vs percpu | Δ c2 vs percpu |",
           "|---|---|---|---|---|---|---|---|"]
    for label, (what, _) in which.items():
        v = res["variants"][label]
        a, b = v["vs_private"], v["vs_percpu"]
        out.append("| %s | %s | %.1f | %.2f | %+.1f | %+.2f | %+.1f | %+.2f |"
                   % (label, what, v["scr_k1_ns"], v["c2_ns"],
                      a["k1_delta_ns"], a["c2_delta_ns"], b["k1_delta_ns"],
                      b["c2_delta_ns"]))
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--examples", help="comma-separated subset of examples/")
    ap.add_argument("--ks", default="1,8,16",
                    help="core counts timed (default 1,8,16; c2 is the slope "
                         "over them)")
    ap.add_argument("--rounds", type=int, default=41)
    ap.add_argument("--repeat", type=int, default=200000)
    ap.add_argument("--cpu", type=int, default=os.cpu_count() - 1)
    ap.add_argument("--trace-packets", type=int, default=4000)
    ap.add_argument("--arrival", choices=["loopback", "veth"],
                    default="loopback",
                    help="where test-run frames arrive: RX queue 0 of the "
                         "loopback device (no xdp_md context; default) or of "
                         "a private veth (docs/performance.md)")
    ap.add_argument("--tools", help="directory with scrcc and scr-xdp-bench "
                    "(default: build them as bench/run.py does)")
    ap.add_argument("--build-dir",
                    default=os.path.join(R.ROOT, "build-benchmark"))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--work", help="work directory (default: temporary)")
    ap.add_argument("--json", help="write the results here")
    ap.add_argument("--variants", help="comma-separated subset of the "
                    "variants (today's program and the previous design are "
                    "always timed)")
    args = ap.parse_args()
    ks = [int(k) for k in args.ks.split(",")]
    if len(ks) < 2 or ks[0] != 1 or args.rounds <= 0 or args.repeat <= 0:
        ap.error("--ks must start with 1 and have two values at least; "
                 "--rounds and --repeat positive")
    if os.geteuid() != 0:
        ap.error("needs root (BPF_PROG_TEST_RUN)")
    examples = sorted(f[:-len(".bpf.c")] for f in
                      os.listdir(os.path.join(R.ROOT, "examples"))
                      if f.endswith(".bpf.c"))
    if args.examples:
        wanted = args.examples.split(",")
        unknown = [e for e in wanted if e not in examples]
        if unknown:
            ap.error("unknown example(s): %s" % ", ".join(unknown))
        examples = wanted
    work = args.work or tempfile.mkdtemp(prefix="scr-indirection-")
    os.makedirs(work, exist_ok=True)
    results = {"command": " ".join(["bench/indirection.py"] + sys.argv[1:]),
               "machine": R.machine(), "ks": ks, "rounds": args.rounds,
               "repeat": args.repeat, "examples": {}}
    try:
        tools = args.tools or R.build_tools(args.build_dir, args.jobs)
        with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
            for name in examples:
                print("indirection: %s" % name, file=sys.stderr, flush=True)
                which, progs = prepare(
                    name, ks, work, tools, pool,
                    args.variants.split(",") if args.variants else None)
                raw = R.time_plan(tools, work, name, progs,
                                  paper.TRACE_KIND.get(name, "zipf"), args)
                an = {label: analysis.analyse(raw, ks, label)
                      for label in which}
                res = {"c1_ns": an["private"]["c1_ns"], "variants": {}}
                for label in which:
                    a = an[label]
                    res["variants"][label] = {
                        "what": which[label][0],
                        "scr_k1_ns": a["scr_k1_ns"], "c2_ns": a["c2_ns"],
                        "cost_curve": a["cost_curve"],
                        "vs_private": analysis.compare(a, an["private"]),
                        "vs_percpu": analysis.compare(a, an["percpu"])}
                results["examples"][name] = res
                print(table(name, which, res), flush=True)
        if args.json:
            with open(args.json, "w") as f:
                json.dump(results, f, indent=2)
                f.write("\n")
    except (R.BenchError, variants.TransformError, RuntimeError) as err:
        print("indirection: error: %s" % err, file=sys.stderr)
        return 1
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
