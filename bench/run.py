#!/usr/bin/env python3
"""scrcc benchmark: what SCR costs and gains, against the SCR paper.

  bench/run.py [--quick] [--with-synthesis] [--examples a,b] [--update-docs]

Builds what it needs (a standalone CMake build of bench/ in build-benchmark/,
which includes the whole project), then for every example in examples/:
times the original program (c1), the SCR program at K = 1..16 (SCR at K=1,
and c2 = slope per replayed history entry) side by side on one pinned CPU,
next to the previous per-CPU design of the SCR program (the `percpu`
variant: what private replicas cost against it),
the dispatch cost of XDP on this machine, scrcc's compile time against
clang, the history entry size and the cores it allows per packet size, and
the sequencer's hardware cost, and the predicted speed-up at 14 cores
(d = 100 ns) next to the paper's. An example's control-plane entries
(examples/NAME.map-init.json) fill its maps first. Prints Markdown tables,
writes bench/results.json and bench/plots/*.png; --update-docs also puts the tables
into docs/performance.md. docs/performance.md explains every method.
"""
import argparse
import concurrent.futures
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

from scrbench import analysis, paper, plots, report, variants  # noqa: E402

CLANG = "/usr/lib/llvm-19/bin/clang"


class BenchError(Exception):
    pass


def multiarch():
    r = subprocess.run(["gcc", "-print-multiarch"], capture_output=True,
                       text=True)
    return r.stdout.strip() or "x86_64-linux-gnu"


# Flags after scrcc's `--` and after every compile (--clang-arg).
EXTRA_FLAGS = []
# scrcc's own options before its `--` (scr-bench's --entry).
SCRCC_OPTIONS = []


def program_flags(outdir):
    """The flags a program scrcc wrote into outdir compiles with: those
    scrcc recorded (compile_flags.txt, one per line; none from an older
    scrcc), then --clang-arg's."""
    path = os.path.join(outdir, "compile_flags.txt")
    recorded = []
    if os.path.exists(path):
        with open(path) as f:
            recorded = [line.rstrip("\n") for line in f if line.strip()]
    return recorded + EXTRA_FLAGS


def bpf_cc_args(src, obj, flags=()):
    return ([CLANG, "-O2", "-g", "-target", "bpf",
             "-I/usr/include/" + multiarch()] + list(flags) +
            ["-c", src, "-o", obj])


def run(cmd, what):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode:
        raise BenchError("%s failed (%s):\n%s%s" % (
            what, " ".join(cmd), r.stdout[-3000:], r.stderr[-3000:]))
    return r.stdout


def build_tools(build_dir, jobs):
    if not os.path.exists(os.path.join(build_dir, "build.ninja")):
        run(["cmake", "-S", HERE, "-B", build_dir, "-G", "Ninja",
             "-DCMAKE_BUILD_TYPE=Release"], "configuring the bench build")
    run(["ninja", "-C", build_dir, "-j%d" % jobs, "scrcc", "scr-p4",
         "scr-verilog", "scr-xdp-bench"], "building the bench tools")
    return os.path.join(build_dir, "bin")


def tool(tools, name):
    path = os.path.join(tools, name)
    if not os.access(path, os.X_OK):
        raise BenchError("%s not found in %s" % (name, tools))
    return path


def entry_of(layout_path):
    with open(layout_path) as f:
        return json.load(f)["program"]["entry"]


def scrcc(tools, src, cores, outdir, emit):
    run([tool(tools, "scrcc"), src, "--cores", str(cores), "-o", outdir,
         "--emit", emit] + SCRCC_OPTIONS + ["--"] + EXTRA_FLAGS,
        "scrcc --cores %d on %s" % (cores, src))
    return os.path.join(outdir, "scr_layout.json")


# The per-entry cost breakdown (scr-bench): the replay loop without the
# slice, and without the decode either (variants.py).
BREAKDOWN = (("decode", variants.decode_only_variant),
             ("walk", variants.walk_only_variant))


def prepare_example(name, src, ks, work, tools, pool, all_replica_maps=False,
                    map_init=(), breakdown=False, percpu=True):
    """Writes and compiles every variant; returns the scr-xdp-bench plan's
    program list: empty, original, original_harness, scr_k<K> (today's
    private replicas) and percpu_k<K> (the previous per-CPU design; with
    percpu) for K in ks, and again_k1 (scr_k1 once more); with breakdown
    also decode_k<K> and walk_k<K> (BREAKDOWN). map_init: --map-init files
    the programs but the empty one are filled from."""
    d = os.path.join(work, name)
    os.makedirs(d, exist_ok=True)
    stem = os.path.basename(src)[:-len(".bpf.c")]

    def scr_variant(k):
        out = os.path.join(d, "k%d" % k)
        layout = scrcc(tools, src, k, out, "bpf,layout")
        entry = entry_of(layout)
        with open(os.path.join(out, stem + ".scr.bpf.c")) as f:
            generated = f.read()
        scr = (generated if all_replica_maps
               else variants.idle_replicas_dropped(generated))
        texts = [("scr", scr)]
        if breakdown:
            # A replay loop of another shape has no breakdown; the rest of
            # the measurement stands without it.
            try:
                texts += [(which, make(scr)) for which, make in BREAKDOWN]
            except variants.TransformError as err:
                print("bench: %s: no cost breakdown: %s" % (name, err),
                      file=sys.stderr)
        try:
            if percpu:
                texts.append(("percpu", variants.percpu_variant(generated)))
        except variants.NoPercpuVariant as err:
            print("bench: %s: no percpu variant: %s" % (name, err),
                  file=sys.stderr)
        progs = []
        for which, text in texts:
            c = os.path.join(out, "bench.%s.bpf.c" % which)
            with open(c, "w") as f:
                f.write(variants.scr_bench_variant(text, entry))
            run(bpf_cc_args(c, c[:-2] + ".o", program_flags(out)),
                "compiling " + c)
            progs.append({"name": "%s_k%d" % (which, k),
                          "object": c[:-2] + ".o", "entry": entry,
                          "layout": layout, "check_replay": True})
        return progs

    # scr_kK next to percpu_kK: the rounds run them back to back, so the
    # paired differences see the same machine.
    scr = [v for pair in pool.map(scr_variant, ks) for v in pair]
    # The noise floor of the comparison: today's K=1 program loaded a second
    # time (its own maps and JIT image) and timed as if it were a variant.
    scr.insert(2, dict(scr[0], name="again_k%d" % ks[0]))
    entry = scr[0]["entry"]
    # The original and its harness compile as scrcc parsed them.
    flags = program_flags(os.path.join(d, "k%d" % ks[0]))
    orig_o = os.path.join(d, "original.o")
    run(bpf_cc_args(src, orig_o, flags), "compiling " + src)
    with open(src) as f:
        text = variants.original_bench_variant(f.read(), entry)
    h = os.path.join(d, "original_harness.bpf.c")
    with open(h, "w") as f:
        f.write(text)
    run(bpf_cc_args(h, h[:-2] + ".o", flags), "compiling " + h)
    empty_o = os.path.join(d, "empty.o")
    run(bpf_cc_args(os.path.join(HERE, "bpf", "empty_pass.bpf.c"), empty_o),
        "compiling the empty program")
    progs = [{"name": "original", "object": orig_o, "entry": entry},
             {"name": "original_harness", "object": h[:-2] + ".o",
              "entry": entry}] + scr
    if map_init:
        # The original's maps are named as in the layout's state.
        for p in progs:
            p["map_init"] = {"layout": scr[0]["layout"],
                             "files": [os.path.abspath(f) for f in map_init]}
    return [{"name": "empty", "object": empty_o, "entry": "bench_empty"}] + progs


def time_plan(tools, work, name, programs, trace_kind, args, pcap=None):
    """Times programs in interleaved rounds on a trace of scr-trace's kind
    trace_kind, or on the frames of pcap."""
    trace = ({"pcap": os.path.abspath(pcap)} if pcap else
             {"kind": trace_kind, "packets": args.trace_packets, "seed": 1})
    plan = {"cpu": args.cpu, "repeat": args.repeat, "rounds": args.rounds,
            "trace": trace, "programs": programs}
    if getattr(args, "arrival", None):
        plan["arrival"] = args.arrival
    plan_path = os.path.join(work, "%s.plan.json" % name)
    out_path = os.path.join(work, "%s.timing.json" % name)
    with open(plan_path, "w") as f:
        json.dump(plan, f, indent=2)
    run([tool(tools, "scr-xdp-bench"), plan_path, "-o", out_path],
        "timing " + name)
    with open(out_path) as f:
        return json.load(f)


def measure_dispatch(tools, work, args):
    d = os.path.join(work, "dispatch")
    os.makedirs(d, exist_ok=True)
    progs = []
    for stem, entry, mode in (("dispatch_drop", "bench_drop", "live"),
                              ("empty_pass", "bench_empty", "copy")):
        o = os.path.join(d, stem + ".o")
        run(bpf_cc_args(os.path.join(HERE, "bpf", stem + ".bpf.c"), o),
            "compiling " + stem)
        progs.append({"name": stem, "object": o, "entry": entry,
                      "mode": mode})
    raw = time_plan(tools, work, "dispatch", progs, "zipf", args)
    p = raw["programs"]
    return {"live_drop_ns": analysis.trimmed_mean(p["dispatch_drop"]["kernel_ns"]),
            "empty_ns": analysis.trimmed_mean(p["empty_pass"]["kernel_ns"]),
            "method": "BPF_PROG_TEST_RUN with BPF_F_TEST_XDP_LIVE_FRAMES, "
                      "program returns XDP_DROP (page-pool frame, run, "
                      "recycle), the kernel's time per repeat",
            "paper_ns": paper.PAPER_DISPATCH_NS}


def measure_compile_time(tools, src, work, runs):
    d = os.path.join(work, "compile-time")
    os.makedirs(d, exist_ok=True)
    scrcc_t, clang_t = [], []
    for i in range(runs):
        for which in ("scrcc", "clang"):
            if which == "scrcc":
                cmd = [tool(tools, "scrcc"), src, "--cores", "8", "-o",
                       os.path.join(d, "out"), "--"] + EXTRA_FLAGS
            else:
                cmd = bpf_cc_args(src, os.path.join(d, "out.o"),
                                  EXTRA_FLAGS)
            t0 = time.perf_counter()
            run(cmd, which + " on " + src)
            (scrcc_t if which == "scrcc" else clang_t).append(
                (time.perf_counter() - t0) * 1000)
    s, c = statistics.median(scrcc_t), statistics.median(clang_t)
    return {"scrcc_ms": s, "clang_ms": c, "ratio": s / c,
            "scrcc_runs_ms": scrcc_t, "clang_runs_ms": clang_t,
            "scrcc_command": "scrcc FILE --cores 8 -o DIR (every output)",
            "clang_command": "clang-19 -O2 -g -target bpf -c FILE"}


def parse_p4_report(text):
    h = {}
    m = re.search(r"stateful ALUs used: (\d+) of (\d+); stages used: (\d+) "
                  r"of (\d+)", text)
    if m:
        h["tofino_salus"] = "%s of %s" % (m.group(1), m.group(2))
        h["tofino_stages"] = "%s of %s" % (m.group(3), m.group(4))
    m = re.search(r"fits: (\w+)", text)
    if m:
        h["tofino_fits"] = m.group(1)
    m = re.search(r"max cores: (\d+)", text)
    if m:
        h["tofino_max_cores"] = int(m.group(1))
    return h


def measure_hardware(tools, name, src, work, with_synthesis):
    p = paper.PROGRAMS.get(name)
    cores = p["cores"] if p else paper.DEFAULT_HARDWARE_CORES
    d = os.path.join(work, name, "hw")
    layout = scrcc(tools, src, cores, d, "layout")
    h = {"cores": cores}
    r = subprocess.run([tool(tools, "scr-p4"), "--layout", layout, "-o",
                        os.path.join(d, "p4"), "--report"],
                       capture_output=True, text=True)
    h.update(parse_p4_report(r.stdout + r.stderr))
    h["tofino_report"] = (r.stdout + r.stderr).strip()
    if r.returncode:
        h["tofino_error"] = (r.stdout + r.stderr).strip().splitlines()[-1]
    vdir = os.path.join(d, "verilog")
    r = subprocess.run([tool(tools, "scr-verilog"), "--layout", layout, "-o",
                        vdir], capture_output=True, text=True)
    if r.returncode:
        # A layout the Verilog generator refuses is a result, not a failure.
        h["verilog_error"] = (r.stdout + r.stderr).strip().splitlines()[-1]
    elif with_synthesis:
        sys.path.insert(0, os.path.join(ROOT, "targets", "verilog", "bench"))
        import synth  # the Verilog target's own synthesis recipe
        luts, lutram, sites, ffs, brams, depth = synth.synth(
            synth.design(vdir), vdir)
        h.update({"verilog_lut": luts + lutram, "verilog_lut_logic": luts,
                  "verilog_lutram": lutram,
                  "verilog_lut_sites_est": sites + lutram, "verilog_ff": ffs,
                  "verilog_bram": brams, "verilog_depth": depth})
    return h


def size_metrics(layout_path):
    with open(layout_path) as f:
        L = json.load(f)
    entry_bytes = L["entry"]["bytes"]
    framing = L["prefix_bytes"] - L["history_length"] * entry_bytes
    return {"entry_bits": L["entry"]["bits"], "entry_bytes": entry_bytes,
            "framing_bytes": framing,
            "cores_at_192": paper.cores_that_fit(192, framing, entry_bytes),
            "cores_at_256": paper.cores_that_fit(256, framing, entry_bytes)}


def speedup(name, timing, d_here, k=paper.SPEEDUP_CORES):
    """The model's speed-up at k cores over the original on one core, with
    d = 100 ns (the paper's) and with d measured here, next to what the
    paper's Table 4 gives at d = 100 ns."""
    d = paper.PAPER_DISPATCH_NS
    return {"cores": k, "d_ns": d,
            "ours": analysis.predicted_speedup(k, d, timing["c1_ns"],
                                               timing["c2_ns"]),
            "ours_d_here": analysis.predicted_speedup(
                k, d_here, timing["c1_ns"], timing["c2_ns"]),
            "d_here_ns": d_here,
            "paper": paper.predicted_speedup(name, k, d)}


def goals(name, timing, size, compile_time, vs_percpu):
    p = paper.PROGRAMS.get(name)
    return {
        # Issue 13: private replicas no slower than the per-CPU design.
        "k1_not_slower_than_percpu": (not vs_percpu["k1_slower"])
        if vs_percpu else None,
        "c2_not_slower_than_percpu": (not vs_percpu["c2_slower"])
        if vs_percpu else None,
        "k1_within_10pct": timing["k1_over_c1"] <= 1.10,
        "c2_over_c1_vs_paper": (timing["c2_over_c1"] <= p["c2"] / p["c1"])
        if p else None,
        "bits_vs_paper": (size["entry_bits"] <= p["entry_bytes"] * 8)
        if p else None,
        "compile_within_2x": compile_time["ratio"] <= 2.0,
    }


def machine():
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    clang = subprocess.run([CLANG, "--version"], capture_output=True,
                           text=True).stdout.splitlines()
    return {"cpu_model": model, "cpus": os.cpu_count(),
            "kernel": platform.release(), "host": platform.node(),
            "clang": clang[0] if clang else "?",
            "date": datetime.datetime.now().astimezone().isoformat(
                timespec="seconds")}


def update_docs(path, results, tables, command):
    with open(path) as f:
        text = f.read()
    begin, end = "<!-- bench:begin -->", "<!-- bench:end -->"
    if begin not in text or end not in text:
        raise BenchError("%s has no %s ... %s section" % (path, begin, end))
    m = results["machine"]
    body = ("\n_Generated by `%s` on %s: %s, %d CPUs, Linux %s, %s._\n\n%s\n"
            "![cost per packet vs K](../bench/plots/cost-vs-k.png)\n\n"
            "![predicted throughput](../bench/plots/throughput-model.png)\n"
            % (command, m["date"], m["cpu_model"], m["cpus"], m["kernel"],
               m["clang"], tables))
    text = text[:text.index(begin) + len(begin)] + body + text[text.index(end):]
    with open(path, "w") as f:
        f.write(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true",
                    help="tiny repeat counts and K = 1..3 (a smoke run)")
    ap.add_argument("--with-synthesis", action="store_true",
                    help="also synthesise the Verilog sequencer with Yosys "
                         "(minutes per example)")
    ap.add_argument("--examples", help="comma-separated subset of examples/")
    ap.add_argument("--repeat", type=int, help="BPF_PROG_TEST_RUN repeat "
                    "count (default 1000000, --quick 2000)")
    ap.add_argument("--rounds", type=int, help="interleaved rounds "
                    "(default 11, --quick 2)")
    ap.add_argument("--max-k", type=int, help="largest K timed (default 16, "
                    "--quick 3)")
    ap.add_argument("--compile-runs", type=int,
                    help="compile-time runs per tool (default 5, --quick 1)")
    ap.add_argument("--cpu", type=int, default=os.cpu_count() - 1,
                    help="CPU to pin the test runs to (default: the last)")
    ap.add_argument("--trace-packets", type=int, default=4000)
    ap.add_argument("--arrival", choices=["loopback", "veth"],
                    default="loopback",
                    help="where test-run frames arrive: RX queue 0 of the "
                         "loopback device (no xdp_md context; default) or of "
                         "a private veth (docs/performance.md)")
    ap.add_argument("--tools", help="use the tools in this directory "
                    "instead of building (needs scrcc, scr-p4, scr-verilog, "
                    "scr-xdp-bench)")
    ap.add_argument("--all-replica-maps", action="store_true",
                    help="declare every replica's private maps in the timed "
                         "SCR programs, not only replica 0's (the one a test "
                         "run executes as): DDoS then needs ~10 GB of kernel "
                         "memory")
    ap.add_argument("--clang-arg", action="append", default=[],
                    metavar="ARG",
                    help="a compiler flag the programs need (-D, -I, ...; "
                         "repeatable): given to scrcc after -- and to every "
                         "compile after the flags scrcc recorded")
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build-benchmark"))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--work", help="work directory (default: a temporary one, "
                    "removed afterwards)")
    ap.add_argument("--results", default=os.path.join(HERE, "results.json"))
    ap.add_argument("--plots", choices=["yes", "no", "auto"], default="yes",
                    help="render PNGs (auto: only if gnuplot is installed)")
    ap.add_argument("--plots-dir", default=os.path.join(HERE, "plots"))
    ap.add_argument("--update-docs", action="store_true",
                    help="put the tables into docs/performance.md")
    args = ap.parse_args()
    EXTRA_FLAGS[:] = args.clang_arg
    quick = args.quick
    args.repeat = args.repeat or (2000 if quick else 1000000)
    args.rounds = args.rounds or (2 if quick else 11)
    args.max_k = args.max_k or (3 if quick else 16)
    args.compile_runs = args.compile_runs or (1 if quick else 5)
    if args.repeat <= 0 or args.rounds <= 0 or args.max_k < 2:
        ap.error("--repeat and --rounds must be positive, --max-k at least 2")
    if os.geteuid() != 0:
        ap.error("needs root (BPF_PROG_TEST_RUN)")

    examples = sorted(f[:-len(".bpf.c")] for f in
                      os.listdir(os.path.join(ROOT, "examples"))
                      if f.endswith(".bpf.c"))
    if args.examples:
        wanted = args.examples.split(",")
        unknown = [e for e in wanted if e not in examples]
        if unknown:
            ap.error("unknown example(s): %s (have: %s)" % (
                ", ".join(unknown), ", ".join(examples)))
        examples = wanted
    ks = list(range(1, args.max_k + 1))

    work = args.work or tempfile.mkdtemp(prefix="scr-bench-")
    os.makedirs(work, exist_ok=True)
    try:
        tools = args.tools or build_tools(args.build_dir, args.jobs)
        results = {"command": " ".join(["bench/run.py"] + sys.argv[1:]),
                   "machine": machine(),
                   "settings": {"cpu": args.cpu, "repeat": args.repeat,
                                "rounds": args.rounds, "ks": ks,
                                "compile_runs": args.compile_runs,
                                "trace_packets": args.trace_packets,
                                "synthesis": args.with_synthesis,
                                "all_replica_maps": args.all_replica_maps,
                                "arrival": args.arrival},
                   "dispatch": measure_dispatch(tools, work, args),
                   "examples": {}}
        d_here = results["dispatch"]["live_drop_ns"]
        with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
            for name in examples:
                print("bench: %s" % name, file=sys.stderr, flush=True)
                src = os.path.join(ROOT, "examples", name + ".bpf.c")
                # An example's control plane: examples/NAME.map-init.json.
                init = src[:-len(".bpf.c")] + ".map-init.json"
                progs = prepare_example(
                    name, src, ks, work, tools, pool, args.all_replica_maps,
                    [init] if os.path.exists(init) else [])
                raw = time_plan(tools, work, name, progs,
                                paper.TRACE_KIND.get(name, "zipf"), args)
                timing = analysis.analyse(raw, ks, "scr")
                timing["packet_index"] = raw["packet_index"]
                percpu = (analysis.analyse(raw, ks, "percpu")
                          if all("percpu_k%d" % k in raw["programs"]
                                 for k in ks) else None)
                timing["predicted_mpps"] = {
                    which: [analysis.predicted_mpps(k, d, timing["c1_ns"],
                                                    timing["c2_ns"])
                            for k in range(1, 33)]
                    for which, d in (("d_here", d_here),
                                     ("d_paper", paper.PAPER_DISPATCH_NS))}
                size = size_metrics(next(p["layout"] for p in progs
                                         if p["name"] == "scr_k%d" % ks[-1]))
                ct = measure_compile_time(tools, src, work, args.compile_runs)
                hw = measure_hardware(tools, name, src, work,
                                      args.with_synthesis)
                e = {"c1_ns": timing["c1_ns"], "scr_k1_ns": timing["scr_k1_ns"],
                     "c2_ns": timing["c2_ns"], "entry_bits": size["entry_bits"],
                     "k1_over_c1": timing["k1_over_c1"],
                     "c2_over_c1": timing["c2_over_c1"],
                     "percpu": percpu and {q: percpu[q] for q in (
                         "scr_k1_ns", "c2_ns", "k1_over_c1", "c2_over_c1",
                         "spread", "cost_curve", "verdicts")},
                     "private_vs_percpu": percpu and analysis.compare(
                         timing, percpu, raw, ks[0]),
                     "timing": timing, "size": size, "compile": ct,
                     "hardware": hw,
                     "paper": paper.PROGRAMS.get(name)}
                e["speedup"] = speedup(name, timing, d_here)
                e["goals"] = goals(name, timing, size, ct,
                                   e["private_vs_percpu"])
                results["examples"][name] = e
        tables = report.tables(results)
        print(tables)
        if args.plots == "yes" or (args.plots == "auto" and
                                   shutil.which("gnuplot")):
            for png in plots.render(results, work, args.plots_dir):
                print("bench: wrote %s" % png, file=sys.stderr)
        elif args.plots == "auto":
            print("bench: gnuplot not installed, no plots", file=sys.stderr)
        with open(args.results, "w") as f:
            json.dump(results, f, indent=2)
            f.write("\n")
        print("bench: wrote %s" % args.results, file=sys.stderr)
        if args.update_docs:
            update_docs(os.path.join(ROOT, "docs", "performance.md"), results,
                        tables, results["command"])
    except (BenchError, variants.TransformError, RuntimeError) as err:
        print("bench: error: %s" % err, file=sys.stderr)
        return 1
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
