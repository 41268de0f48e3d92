#!/usr/bin/env python3
"""Simulates the generated sequencer against the reference sequencer.

For each layout and core count: scr-verilog generates sequencer.v,
scr-verilog-vectors turns a trace into stimulus and the reference frames
(scrrt::Sequencer), and Icarus Verilog runs tb/scr_tb.v, which drives the
trace with random idle cycles and back-pressure and compares every output
beat byte for byte. Prints one line per run; exits non-zero on any failure.

  simulate.py --layout L.json [--layout ...] --trace T.pcap
              [--cores K,...] [--data-width 1024,512] [--ring auto,ram,ff]
              [--gap 30 --stall 30]
              [--seed S] [--lint] [--no-sim] [--workdir DIR]

--cores 0 means the layout's own core count. --ring picks where the history
ring lives (scr-verilog --ring); each line names the style generated. With --gap 0 --stall 0 the
cycle count measures sustained throughput against the ideal (one beat per
clock). Tools are taken from PATH.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def design_files(d):
    """The files of the design in d, from its file list (compile order)."""
    with open(os.path.join(d, "sequencer.f")) as f:
        return [os.path.join(d, l.strip()) for l in f if l.strip()]


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--layout", action="append", required=True)
    ap.add_argument("--trace")
    ap.add_argument("--no-sim", action="store_true",
                    help="only generate (and with --lint, lint)")
    ap.add_argument("--cores", default="0")
    ap.add_argument("--data-width", default="1024")
    ap.add_argument("--ring", default="auto",
                    help="ring styles to generate: auto, ram, ff")
    ap.add_argument("--gap", type=int, default=30)
    ap.add_argument("--stall", type=int, default=30)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--lint", action="store_true",
                    help="also run verilator --lint-only -Wall")
    ap.add_argument("--vectors-cores", type=int, default=None,
                    help="build the reference for this core count instead "
                         "(a deliberately wrong reference: the run must fail)")
    ap.add_argument("--workdir")
    a = ap.parse_args()
    if not a.no_sim and not a.trace:
        ap.error("--trace is required unless --no-sim")

    work = a.workdir or tempfile.mkdtemp(prefix="scr-verilog-sim-")
    os.makedirs(work, exist_ok=True)
    failures = 0
    for layout in a.layout:
        name = os.path.splitext(os.path.basename(layout))[0]
        if name == "scr_layout":  # scrcc's output: name it after its folder
            name = os.path.basename(os.path.dirname(os.path.abspath(layout)))
        with open(layout) as f:
            own_cores = json.load(f)["cores"]
        for cores in [int(c) for c in a.cores.split(",")]:
            cores = cores or own_cores
            for width, ring in [(int(w), r) for w in a.data_width.split(",")
                                for r in a.ring.split(",")]:
                    tag = "%s cores=%d width=%d" % (name, cores, width)
                    d = os.path.join(work, "%s-%d-%d-%s" % (name, cores, width,
                                                            ring))
                    r = run(["scr-verilog", "--layout", layout, "-o", d,
                             "--cores", str(cores), "--data-width", str(width),
                             "--ring", ring])
                    if r.returncode:
                        print("FAIL %s: scr-verilog: %s" % (tag, r.stderr.strip()))
                        failures += 1
                        continue
                    rtl = os.path.join(d, "sequencer.v")
                    with open(rtl) as f:
                        in_ram = re.search(r"parameter\s+RING_RAM\s+=\s+1",
                                           f.read())
                    tag += " ring=%s" % ("ram" if in_ram else "ff")
                    if a.lint:
                        r = run(["verilator", "--lint-only", "-Wall",
                                 "--top-module", "scr_sequencer"]
                                + design_files(d))
                        if r.returncode or r.stderr.strip():
                            print("FAIL %s: lint:\n%s" % (tag, r.stderr))
                            failures += 1
                            continue
                    if a.no_sim:
                        print("OK %s" % tag)
                        continue
                    stim, exp = os.path.join(d, "in.hex"), os.path.join(d, "exp.hex")
                    vc = a.vectors_cores or cores
                    r = run(["scr-verilog-vectors", "--layout", layout, "--cores",
                             str(vc), "-i", a.trace, "--stim", stim,
                             "--expect", exp])
                    if r.returncode:
                        print("FAIL %s: vectors: %s" % (tag, r.stderr.strip()))
                        failures += 1
                        continue
                    vvp = os.path.join(d, "sim.vvp")
                    r = run(["iverilog", "-g2005", "-Wall", "-Wno-timescale",
                             "-Pscr_tb.DATA_WIDTH=%d" % width, "-o", vvp]
                            + design_files(d) + [os.path.join(HERE, "scr_tb.v")])
                    if r.returncode:
                        print("FAIL %s: iverilog:\n%s" % (tag, r.stderr))
                        failures += 1
                        continue
                    r = run(["vvp", "-n", vvp, "+stim=" + stim, "+expect=" + exp,
                             "+gap=%d" % a.gap, "+stall=%d" % a.stall,
                             "+seed=%d" % a.seed])
                    lines = [l for l in r.stdout.splitlines() if l.strip()]
                    verdict = [l for l in lines if l.startswith(("PASS", "FAIL"))]
                    if r.returncode or not verdict or verdict[-1].startswith("FAIL"):
                        failures += 1
                        print("FAIL %s:\n  %s" % (tag, "\n  ".join(lines[-12:])))
                    else:
                        print("%s %s" % (verdict[-1], tag))
    print("%d failure(s)" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
