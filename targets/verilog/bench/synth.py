#!/usr/bin/env python3
"""Synthesis benchmark of the generated sequencer (not a CI gate).

Synthesises with Yosys (synth_xilinx, UltraScale+ as on the Alveo U250) the
paper's configurations -- 16, 32, 64 and 128 history rows of 112 bits on a
1024-bit bus -- and every layout given with --layout at its own core count,
and prints (or writes with -o) a Markdown table of LUTs, flip-flops and
logic depth next to the paper's Table 2.

  synth.py [--layout L.json ...] [--rows 16,32,64,128] [--ring auto|ram|ff]
           [--slot-bytes 16] [-o table.md]

--slot-bytes pads the paper shape's 14-byte rows to that slot stride (the
layout's entry.bytes, scrcc --slot-bytes): with a power of two the ring
write needs no byte rotation.

LUTs count LUT1..LUT6 plus LUT-RAM sites (RAM32M/RAM64M/... as the LUTs
they occupy); flip-flops count FDRE/FDSE/FDCE/FDPE; BRAM counts block RAMs
in 36 Kb units (a RAMB18E2 is half a RAMB36E2; Yosys infers them from the
RTL's memories, no vendor primitives in the RTL). Depth is the longest
path in LUT6 levels between registers (Yosys `ltp -noff` on a generic
`abc -lut 6` netlist; Vivado's carry chains make adders shallower).
Tools are taken from PATH (scr-verilog, yosys).
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
PAPER = {16: (1045, 2369), 32: (1852, 3158), 64: (2637, 4707), 128: (3390, 7786)}
LUTRAM_LUTS = {"RAM32M": 4, "RAM64M": 4, "RAM32M16": 8, "RAM64M8": 8,
               "RAM32X1D": 2, "RAM64X1D": 2, "RAM128X1D": 4, "RAM256X1D": 8,
               "RAM32X1S": 1, "RAM64X1S": 1, "RAM128X1S": 2, "SRL16E": 1,
               "SRLC32E": 1}


def lut6_2_sites(netlist):
    """LUT sites if pairs of small LUTs share one LUT6 site (LUT6_2).

    Yosys counts every LUT it maps as one. Vivado's utilisation report
    counts sites, and a site's LUT6_2 holds two functions of at most five
    shared inputs (O5 and O6), e.g. two 2:1 multiplexer bits with one
    select. This pairs LUTs greedily: both have at most five inputs, they
    share at least one and their union is at most five; LUTs feeding a
    MUXF7/8 stay alone. An estimate of Vivado's count, not a placement.
    """
    mod = next(m for m in netlist["modules"].values()
               if m.get("attributes", {}).get("top"))
    cells = mod["cells"].values()
    muxf_in = set()
    for c in cells:
        if c["type"].startswith("MUXF"):
            for port in ("I0", "I1"):
                muxf_in.update(c["connections"].get(port, []))
    luts = []
    for c in cells:
        if re.fullmatch(r"LUT\d", c["type"]):
            conn = c["connections"]
            ins = frozenset(b for k, v in conn.items() if k.startswith("I")
                            for b in v if isinstance(b, int))
            alone = len(ins) > 5 or conn["O"][0] in muxf_in
            luts.append((ins, alone))
    by_net = {}
    for i, (ins, alone) in enumerate(luts):
        if not alone:
            for n in ins:
                by_net.setdefault(n, []).append(i)
    paired = [False] * len(luts)
    pairs = 0
    order = sorted(range(len(luts)), key=lambda i: -len(luts[i][0]))
    for i in order:
        ins, alone = luts[i]
        if alone or paired[i]:
            continue
        best, best_shared = None, 0
        for n in ins:
            for j in by_net[n]:
                if j == i or paired[j]:
                    continue
                union = ins | luts[j][0]
                shared = len(ins) + len(luts[j][0]) - len(union)
                if len(union) <= 5 and shared > best_shared:
                    best, best_shared = j, shared
        if best is not None:
            paired[i] = paired[best] = True
            pairs += 1
    return len(luts) - pairs


def design(d):
    """The files of the generated design in d, in the order of its file
    list, as read_verilog takes them."""
    with open(os.path.join(d, "sequencer.f")) as f:
        return " ".join(os.path.join(d, l.strip()) for l in f if l.strip())


def synth(rtl, workdir):
    script = os.path.join(workdir, "synth.ys")
    with open(script, "w") as f:
        f.write("read_verilog -DSYNTHESIS %s\n"
                "synth_xilinx -family xcup -top scr_sequencer -flatten\n"
                "tee -o %s/stat.txt stat\n"
                "write_json %s/netlist.json\n" % (rtl, workdir, workdir))
    # Depth on a generic LUT6 netlist: the Xilinx one has asynchronous
    # LUT-RAM reads, which `ltp` cannot tell from combinational cells.
    depth_script = os.path.join(workdir, "depth.ys")
    with open(depth_script, "w") as f:
        f.write("read_verilog -DSYNTHESIS %s\n"
                "synth -top scr_sequencer -flatten -run begin:fine\n"
                "memory_map\n"
                "synth -top scr_sequencer -flatten -run fine:check\n"
                "abc -lut 6\n"
                "opt_clean\n"
                "tee -o %s/ltp.txt ltp -noff\n" % (rtl, workdir))
    r = subprocess.run(["yosys", "-q", "-s", script], capture_output=True,
                       text=True)
    if r.returncode:
        raise RuntimeError("yosys failed:\n" + r.stdout[-2000:] + r.stderr[-2000:])
    r = subprocess.run(["yosys", "-q", "-s", depth_script],
                       capture_output=True, text=True)
    if r.returncode:
        raise RuntimeError("yosys failed:\n" + r.stdout[-2000:] + r.stderr[-2000:])
    cells = {}
    for line in open(os.path.join(workdir, "stat.txt")):
        m = re.match(r"\s+(\w+)\s+(\d+)\s*$", line)
        if m:
            cells[m.group(1)] = cells.get(m.group(1), 0) + int(m.group(2))
    luts = sum(v for k, v in cells.items() if re.fullmatch(r"LUT\d", k))
    lutram = sum(LUTRAM_LUTS[k] * v for k, v in cells.items() if k in LUTRAM_LUTS)
    ffs = sum(v for k, v in cells.items() if k in ("FDRE", "FDSE", "FDCE", "FDPE"))
    brams = sum(v * (0.5 if k.startswith("RAMB18") else 1)
                for k, v in cells.items() if k.startswith("RAMB"))
    sites = lut6_2_sites(json.load(open(os.path.join(workdir, "netlist.json"))))
    depth = "?"
    m = re.search(r"Longest topological path in \S+ \(length=(\d+)\)",
                  open(os.path.join(workdir, "ltp.txt")).read())
    if m:
        depth = int(m.group(1))
    return luts, lutram, sites, ffs, brams, depth


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--layout", action="append", default=[])
    ap.add_argument("--rows", default="16,32,64,128")
    ap.add_argument("--data-width", type=int, default=1024)
    ap.add_argument("--ring", default="auto",
                    help="where the history ring lives (scr-verilog --ring)")
    ap.add_argument("--slot-bytes", type=int, default=0,
                    help="pad the paper shape's slots to this many bytes")
    ap.add_argument("-o", dest="out")
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="scr-verilog-synth-")
    bench = os.path.join(SRC, "test", "verilog", "Inputs", "bench112.json")
    shape = "paper shape, %d rows x 112 bits"
    if a.slot_bytes:
        layout = json.load(open(bench))
        layout["entry"]["bytes"] = a.slot_bytes
        bench = os.path.join(work, "bench112-slot%d.json" % a.slot_bytes)
        json.dump(layout, open(bench, "w"))
        shape += " in %d-byte slots" % a.slot_bytes
    configs = [(shape % r, bench, r + 1, r)
               for r in [int(x) for x in a.rows.split(",") if x]]
    for l in a.layout:
        cores = json.load(open(l))["cores"]
        configs.append(("%s, %d cores" % (os.path.basename(l), cores), l,
                        cores, None))
    rows = ["| design | rows x bits | ring | LUT (logic + LUT-RAM) | LUT sites, "
            "LUT6_2 packed (est.) | FF | BRAM (36 Kb) | depth | paper LUT / FF |",
            "|---|---|---|---|---|---|---|---|---|"]
    for name, layout, cores, paper_rows in configs:
        d = os.path.join(work, "%s-%d" % (os.path.basename(layout), cores))
        r = subprocess.run(["scr-verilog", "--layout", layout, "-o", d,
                            "--cores", str(cores), "--data-width",
                            str(a.data_width), "--ring", a.ring],
                           capture_output=True, text=True)
        if r.returncode:
            print(r.stderr, file=sys.stderr)
            return 1
        bits = json.load(open(layout))["entry"]["bits"]
        rtl = os.path.join(d, "sequencer.v")
        ring = "RAM" if re.search(r"parameter\s+RING_RAM\s+=\s+1",
                                  open(rtl).read()) else "FF"
        luts, lutram, sites, ffs, brams, depth = synth(design(d), d)
        paper = "%d / %d" % PAPER[paper_rows] if paper_rows in PAPER else "-"
        rows.append("| %s | %d x %d | %s | %d (%d + %d) | %d | %d | %g | %s | %s |" % (
            name, cores - 1, bits, ring, luts + lutram, luts, lutram,
            sites + lutram, ffs, brams,
            depth, paper))
        print(rows[-1], flush=True)
    text = "\n".join(rows) + "\n"
    if a.out:
        open(a.out, "w").write(text)
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
