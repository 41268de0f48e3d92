#!/usr/bin/env python3
"""scr-bench: what SCR would cost and gain for your own XDP program.

  scr-bench PROG.bpf.c [--entry F] [--trace T.pcap | --trace-kind KIND]
            [--map-init FILE.json]... [--cores-max K] [--quick]
            [-- CLANG-FLAGS...]

Compiles PROG with scrcc for K = 1..Kmax and times the original and the SCR
programs with bench/run.py's method (interleaved rounds of BPF_PROG_TEST_RUN
on one pinned CPU, the empty program's cost subtracted): c1, SCR at K=1, c2
(the slope over K, with R²), the per-entry cost breakdown (ring walk,
decode, slice), the dispatch cost d of this machine, the predicted
throughput k / (d + c1 + (k-1) c2) for d measured and d = 100 ns, and the
predicted speed-up at 14 cores. Prints Markdown tables; --json and
--plots-dir keep the numbers and the plots. docs/performance.md explains
the method, docs/cli.md the options.
"""
import argparse
import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import run as bench  # noqa: E402  bench/run.py: the shared pipeline
from scrbench import analysis, paper, plots, variants  # noqa: E402

# The model's core counts the throughput table shows.
CURVE_KS = (1, 2, 4, 8, 14, 16, 32)


def parse_args(argv):
    # Everything after `--` is for clang (and scrcc's own `--`).
    clang = []
    if "--" in argv:
        i = argv.index("--")
        argv, clang = argv[:i], argv[i + 1:]
    ap = argparse.ArgumentParser(
        prog="scr-bench", description=__doc__.splitlines()[0],
        epilog="Flags after -- go to scrcc's clang and to every compile of "
               "the timed programs (-D, -I, ...).")
    ap.add_argument("program", metavar="PROG.bpf.c")
    ap.add_argument("--entry", metavar="F",
                    help="the XDP entry function (scrcc --entry; default: "
                         "the only one)")
    ap.add_argument("--trace", metavar="T.pcap",
                    help="time on a packet of this capture (Ethernet pcap)")
    ap.add_argument("--trace-kind", metavar="KIND", default="zipf",
                    help="without --trace: scr-trace's generator (default "
                         "zipf: IPv4 TCP/UDP flows; services, tcp-flows, "
                         "conntrack, portknock, icmp, adversarial, ...)")
    ap.add_argument("--ports", metavar="LIST",
                    help="the services kind's ports (scr-trace --ports)")
    ap.add_argument("--trace-packets", type=int, default=4000,
                    help="packets of the generated trace (default 4000)")
    ap.add_argument("--map-init", action="append", default=[],
                    metavar="FILE.json",
                    help="fill the program's maps first, as its control "
                         "plane would (docs/runtime-replay.md; repeatable)")
    ap.add_argument("--cores-max", type=int, metavar="K",
                    help="largest K timed (default 16, --quick 3)")
    ap.add_argument("--quick", action="store_true",
                    help="tiny repeat counts and K = 1..3: checks that the "
                         "program can be measured, numbers mean little")
    ap.add_argument("--repeat", type=int,
                    help="BPF_PROG_TEST_RUN repeat count (default 1000000, "
                         "--quick 2000)")
    ap.add_argument("--rounds", type=int,
                    help="interleaved rounds (default 11, --quick 2)")
    ap.add_argument("--cpu", type=int, default=os.cpu_count() - 1,
                    help="CPU to pin the test runs to (default: the last)")
    ap.add_argument("--arrival", choices=["loopback", "veth"],
                    default="loopback",
                    help="where test-run frames arrive (docs/performance.md)")
    ap.add_argument("--tools", default=os.path.dirname(
        os.path.abspath(sys.argv[0])),
        help="directory of scrcc, scr-trace and scr-xdp-bench (default: "
             "the one scr-bench is in)")
    ap.add_argument("--work", help="keep the work files here (default: a "
                    "temporary directory, removed afterwards)")
    ap.add_argument("--json", metavar="OUT.json",
                    help="write every number here")
    ap.add_argument("--plots", choices=["yes", "no", "auto"], default="auto",
                    help="render PNGs with gnuplot (auto: if installed)")
    ap.add_argument("--plots-dir", default=".",
                    help="where the PNGs go (default: .)")
    args = ap.parse_args(argv)
    args.clang = clang
    args.repeat = args.repeat or (2000 if args.quick else 1000000)
    args.rounds = args.rounds or (2 if args.quick else 11)
    args.cores_max = args.cores_max or (3 if args.quick else 16)
    if args.repeat <= 0 or args.rounds <= 0 or args.cores_max < 2:
        ap.error("--repeat and --rounds must be positive, --cores-max at "
                 "least 2")
    if not args.program.endswith(".bpf.c"):
        ap.error("PROG must be a .bpf.c file (scrcc names its outputs "
                 "after it)")
    if not os.path.exists(args.program):
        ap.error("no such file: %s" % args.program)
    if args.trace and not os.path.exists(args.trace):
        ap.error("no such trace: %s" % args.trace)
    if args.ports and args.trace_kind != "services":
        ap.error("--ports is for --trace-kind services")
    for f in args.map_init:
        if not os.path.exists(f):
            ap.error("no such --map-init file: %s" % f)
    if os.geteuid() != 0:
        ap.error("needs root (BPF_PROG_TEST_RUN)")
    return args


def make_trace(tools, args, work):
    """The user's capture, or one scr-trace generates (seed 1)."""
    if args.trace:
        return os.path.abspath(args.trace), "pcap %s" % args.trace
    pcap = os.path.join(work, "trace.pcap")
    cmd = [bench.tool(tools, "scr-trace"), "--kind", args.trace_kind,
           "--packets", str(args.trace_packets), "--seed", "1", "-o", pcap]
    if args.ports:
        cmd += ["--ports", args.ports]
    bench.run(cmd, "generating the trace")
    return pcap, "scr-trace --kind %s%s --packets %d --seed 1" % (
        args.trace_kind, " --ports " + args.ports if args.ports else "",
        args.trace_packets)


def measure(args):
    bench.EXTRA_FLAGS[:] = args.clang
    bench.SCRCC_OPTIONS[:] = ["--entry", args.entry] if args.entry else []
    tools = args.tools
    for t in ("scrcc", "scr-trace", "scr-xdp-bench"):
        bench.tool(tools, t)
    src = os.path.abspath(args.program)
    name = os.path.basename(src)[:-len(".bpf.c")]
    ks = list(range(1, args.cores_max + 1))
    work = args.work or tempfile.mkdtemp(prefix="scr-bench-")
    os.makedirs(work, exist_ok=True)
    try:
        # scrcc's verdict on the program first, in its own words.
        r = subprocess.run([bench.tool(tools, "scrcc"), src, "--cores", "1",
                            "-o", os.path.join(work, "check"), "--emit",
                            "layout"] + bench.SCRCC_OPTIONS + ["--"] +
                           args.clang, capture_output=True, text=True)
        if r.returncode:
            raise bench.BenchError("scrcc does not accept %s:\n%s" % (
                args.program, (r.stderr or r.stdout).strip()))
        pcap, trace_desc = make_trace(tools, args, work)
        dispatch = bench.measure_dispatch(tools, work, args)
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            progs = bench.prepare_example(name, src, ks, work, tools, pool,
                                          map_init=args.map_init,
                                          breakdown=True, percpu=False)
        raw = bench.time_plan(tools, work, name, progs, None, args, pcap)
        layout = next(p["layout"] for p in progs
                      if p["name"] == "scr_k%d" % ks[-1])
        with open(layout) as f:
            entry_bits = json.load(f)["entry"]["bits"]
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    return name, ks, trace_desc, dispatch, entry_bits, raw


def evaluate(name, ks, dispatch, entry_bits, raw):
    timing = analysis.analyse(raw, ks, "scr")
    for t in (timing["c1_ns"], timing["scr_k1_ns"]):
        if not t > 0:
            raise bench.BenchError(
                "the original costs %.1f ns over the empty program: too "
                "little to measure (raise --repeat, or the measured packet "
                "does not reach the program's logic)" % timing["c1_ns"])
    steps = {w: analysis.analyse(raw, ks, w)["c2_ns"]
             for w, _ in bench.BREAKDOWN
             if all("%s_k%d" % (w, k) in raw["programs"] for k in ks)}
    d_here = dispatch["live_drop_ns"]
    c1, c2 = timing["c1_ns"], timing["c2_ns"]
    k = paper.SPEEDUP_CORES
    return {
        "program": name, "timing": timing,
        "packet_index": raw["packet_index"],
        "packet_bytes": raw["packet_bytes"],
        "verdict": raw["programs"]["original"].get("verdict"),
        "breakdown": {"walk_ns": steps["walk"],
                      "decode_ns": steps["decode"] - steps["walk"],
                      "slice_ns": c2 - steps["decode"],
                      "decode_only_c2_ns": steps["decode"]}
        if len(steps) == len(bench.BREAKDOWN) else None,
        "entry_bits": entry_bits,
        "dispatch_ns": d_here,
        "predicted_mpps": {
            "k": list(CURVE_KS),
            "d_here": [analysis.predicted_mpps(j, d_here, c1, c2)
                       for j in CURVE_KS],
            "d_paper": [analysis.predicted_mpps(j, paper.PAPER_DISPATCH_NS,
                                                c1, c2) for j in CURVE_KS],
            "linear_d_paper": [analysis.predicted_mpps(
                j, paper.PAPER_DISPATCH_NS, c1, 0) for j in CURVE_KS]},
        "speedup": {"cores": k, "d_ns": paper.PAPER_DISPATCH_NS,
                    "ours": analysis.predicted_speedup(
                        k, paper.PAPER_DISPATCH_NS, c1, c2),
                    "ours_d_here": analysis.predicted_speedup(
                        k, d_here, c1, c2)},
    }


def table(e, args, trace_desc):
    t = e["timing"]
    b = e["breakdown"]
    s = e["speedup"]
    out = ["## scr-bench: %s (K = 1..%d, repeat %d, %d rounds, CPU %d)\n" % (
        args.program, args.cores_max, args.repeat, args.rounds, args.cpu),
        "Measured packet: #%d of %s (%d bytes; the original's verdict %s); "
        "history entry %d bits.\n" % (e["packet_index"], trace_desc,
                                      e["packet_bytes"], e["verdict"],
                                      e["entry_bits"]),
        "| quantity | ns per packet |", "|---|---|",
        "| c1 (original) | %.2f |" % t["c1_ns"],
        "| SCR at K=1 | %.2f |" % t["scr_k1_ns"],
        "| SCR at K=1 / c1 | %.3f |" % t["k1_over_c1"],
        "| c2 (per history entry) | %.2f (R² %.3f) |" % (
            t["c2_ns"], t["cost_curve"]["fit_r2"]),
        "| c2 / c1 | %.3f |" % t["c2_over_c1"],
    ] + ([
        "| c2: ring walk | %.2f |" % b["walk_ns"],
        "| c2: + decoding the entry | %.2f |" % b["decode_ns"],
        "| c2: + the slice (state update) | %.2f |" % b["slice_ns"],
    ] if b else ["| c2 breakdown | not measured (see the warning) |"]) + [
        "| d (XDP dispatch here) | %.1f |" % e["dispatch_ns"],
        "",
        "Predicted throughput k / (d + c1 + (k-1) c2), Mpps:\n",
        "| k | d here (%.0f ns) | d = %.0f ns | linear, d = %.0f ns |" % (
            e["dispatch_ns"], paper.PAPER_DISPATCH_NS,
            paper.PAPER_DISPATCH_NS), "|---|---|---|---|"]
    m = e["predicted_mpps"]
    for i, k in enumerate(m["k"]):
        out.append("| %d | %.2f | %.2f | %.2f |" % (
            k, m["d_here"][i], m["d_paper"][i], m["linear_d_paper"][i]))
    out += ["",
            "Predicted speed-up at %d cores over the original on one core: "
            "**%.2f×** (d = %.0f ns), %.2f× (d here).\n" % (
                s["cores"], s["ours"], s["d_ns"], s["ours_d_here"])]
    return "\n".join(out)


def main(argv):
    args = parse_args(argv)
    try:
        name, ks, trace_desc, dispatch, entry_bits, raw = measure(args)
        e = evaluate(name, ks, dispatch, entry_bits, raw)
        print(table(e, args, trace_desc))
        e["command"] = " ".join(["scr-bench"] + argv)
        e["trace"] = trace_desc
        if args.json:
            with open(args.json, "w") as f:
                json.dump(e, f, indent=2)
                f.write("\n")
        if args.plots == "yes" or (args.plots == "auto" and
                                   shutil.which("gnuplot")):
            # bench/run.py's plots, for this one program.
            with tempfile.TemporaryDirectory() as tmp:
                for png in plots.render(
                        {"examples": {name: e},
                         "dispatch": {"live_drop_ns": e["dispatch_ns"]}},
                        tmp, args.plots_dir):
                    print("scr-bench: wrote %s" % png, file=sys.stderr)
    except (bench.BenchError, variants.TransformError, RuntimeError) as err:
        print("scr-bench: error: %s" % err, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
