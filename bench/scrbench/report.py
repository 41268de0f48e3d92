"""Markdown tables of the results (printed, and put into docs/performance.md)."""
from . import paper


def _f(x, digits=1):
    return "-" if x is None else ("%.*f" % (digits, x))


def _goal(ok):
    return "-" if ok is None else ("yes" if ok else "**no**")


def tables(results):
    ex = results["examples"]
    d = results["dispatch"]
    out = []
    out.append("### Program cost (ns per packet, BPF_PROG_TEST_RUN, CPU %d, "
               "repeat %d, %d rounds)\n" % (results["settings"]["cpu"],
                                            results["settings"]["repeat"],
                                            results["settings"]["rounds"]))
    out.append("| program | c1 | SCR K=1 | K=1 / c1 (goal ≤ 1.10) | c2 | "
               "c2 fit R² | c2 / c1 | paper c2 / c1 | c2/c1 goal |")
    out.append("|---|---|---|---|---|---|---|---|---|")
    for name, e in ex.items():
        t = e["timing"]
        p = paper.PROGRAMS.get(name)
        pr = "%d/%d = %.2f" % (p["c2"], p["c1"], p["c2"] / p["c1"]) if p else "-"
        sp = t["spread"]
        out.append("| %s | %s | %s | %s (%s–%s) %s | %s | %.3f | %s (%s–%s) | %s | %s |" % (
            name, _f(t["c1_ns"]), _f(t["scr_k1_ns"]), _f(t["k1_over_c1"], 3),
            _f(sp["k1_over_c1"]["min"], 2), _f(sp["k1_over_c1"]["max"], 2),
            "" if e["goals"]["k1_within_10pct"] else "**over**",
            _f(t["c2_ns"], 2), t["cost_curve"]["fit_r2"],
            _f(t["c2_over_c1"], 3), _f(sp["c2_over_c1"]["min"], 2),
            _f(sp["c2_over_c1"]["max"], 2), pr,
            _goal(e["goals"]["c2_over_c1_vs_paper"])))
    out.append("")
    out.append(speedup_table(results))
    out.append("### Private replicas against the previous per-CPU design "
               "(same run)\n")
    out.append("Today's SCR program (each written map an array of maps "
               "over private per-replica copies) against the `percpu` "
               "variant (the previous design: per-CPU maps, per-CPU "
               "bookkeeping; docs/performance.md). Δ = private − percpu per "
               "round (min–max over rounds). A/A = today's K=1 program "
               "loaded a second time minus itself: differences at K=1 "
               "below it are noise.\n")
    out.append("| program | SCR K=1 private | SCR K=1 percpu | K=1 private / "
               "percpu | Δ K=1 (ns) | A/A K=1 (ns) | c2 private | c2 percpu | "
               "c2 private / percpu | Δ c2 (ns) | not slower (K=1, c2) |")
    out.append("|---|---|---|---|---|---|---|---|---|---|---|")
    for name, e in ex.items():
        t, o, v = e["timing"], e["percpu"], e["private_vs_percpu"]
        if not v:
            out.append("| %s | %s | - | no percpu variant (a map the "
                       "previous design refused) | - | - | %s | - | - | - | "
                       "- |"
                       % (name, _f(t["scr_k1_ns"]), _f(t["c2_ns"], 2)))
            continue
        dk, dc = v["k1_delta_spread"], v["c2_delta_spread"]
        aa = v.get("k1_aa_delta_ns")
        out.append("| %s | %s | %s | %.3f | %+.1f (%+.1f–%+.1f) | %s | %s | "
                   "%s | %.3f | %+.2f (%+.1f–%+.1f) | %s, %s |" % (
                       name, _f(t["scr_k1_ns"]), _f(o["scr_k1_ns"]),
                       v["k1_ratio"], v["k1_delta_ns"], dk["min"], dk["max"],
                       "-" if aa is None else "%+.1f" % aa,
                       _f(t["c2_ns"], 2), _f(o["c2_ns"], 2), v["c2_ratio"],
                       v["c2_delta_ns"], dc["min"], dc["max"],
                       _goal(e["goals"]["k1_not_slower_than_percpu"]),
                       _goal(e["goals"]["c2_not_slower_than_percpu"])))
    out.append("")
    out.append("Dispatch d measured here (XDP live-frames test run, XDP_DROP): "
               "**%.1f ns** per frame (paper: ≈ %d ns with a ConnectX-5 "
               "driver); empty-program test-run overhead subtracted from c1: "
               "%.1f ns.\n" % (d["live_drop_ns"], paper.PAPER_DISPATCH_NS,
                               d["empty_ns"]))

    out.append("### History entry size and cores per packet size\n")
    out.append("| program | bits / entry | paper bytes × 8 | goal | cores at "
               "192 B | cores at 256 B | paper cores (packet) |")
    out.append("|---|---|---|---|---|---|---|")
    for name, e in ex.items():
        s = e["size"]
        p = paper.PROGRAMS.get(name)
        out.append("| %s | %d | %s | %s | %s | %s | %s |" % (
            name, s["entry_bits"], p["entry_bytes"] * 8 if p else "-",
            _goal(e["goals"]["bits_vs_paper"]), s["cores_at_192"],
            s["cores_at_256"],
            "%d (%d B)" % (p["cores"], p["packet_bytes"]) if p else "-"))
    out.append("")

    out.append("### Compile time (median of %d runs)\n" %
               results["settings"]["compile_runs"])
    out.append("| program | scrcc (ms) | clang-19 -O2 -target bpf (ms) | "
               "ratio (goal ≤ 2) |")
    out.append("|---|---|---|---|")
    for name, e in ex.items():
        c = e["compile"]
        out.append("| %s | %.0f | %.0f | %.2f %s |" % (
            name, c["scrcc_ms"], c["clang_ms"], c["ratio"],
            "" if e["goals"]["compile_within_2x"] else "**over**"))
    out.append("")

    out.append("### Sequencer hardware (at the paper's core count)\n")
    out.append("| program | cores | Tofino stages | Tofino stateful ALUs | "
               "fits | max cores Tofino (paper) | Verilog LUT | Verilog FF |")
    out.append("|---|---|---|---|---|---|---|---|")
    for name, e in ex.items():
        h = e["hardware"]
        p = paper.PROGRAMS.get(name)
        out.append("| %s | %d | %s | %s | %s | %s (%s) | %s | %s |" % (
            name, h["cores"], h.get("tofino_stages", "-"),
            h.get("tofino_salus", "-"), h.get("tofino_fits", "-"),
            h.get("tofino_max_cores", "-"),
            p["tofino_cores"] if p else "-",
            "refused (see results.json)" if "verilog_error" in h
            else h.get("verilog_lut", "not synthesised"),
            h.get("verilog_ff", "-")))
    out.append("")
    return "\n".join(out)


def speedup_table(results):
    """The model's speed-up at 14 cores, d = 100 ns, next to the paper's."""
    ex = results["examples"]
    first = next(iter(ex.values()), None)
    if not first or "speedup" not in first:
        return ""
    k, d = first["speedup"]["cores"], first["speedup"]["d_ns"]
    out = ["### Predicted speed-up at %d cores (d = %.0f ns)\n" % (k, d),
           "throughput(k) / throughput of the original on one core = "
           "k (d + c1) / (d + c1 + (k-1) c2), with c1 and c2 measured here "
           "and, for the paper, its Table 4 (c1, c2) at the same d; "
           "\"d here\" uses the dispatch cost measured on this machine.\n",
           "| program | c1 | c2 | speed-up at %d | paper's c1, c2 | paper "
           "speed-up at %d | speed-up at %d, d here |" % (k, k, k),
           "|---|---|---|---|---|---|---|"]
    for name, e in ex.items():
        t, s = e["timing"], e["speedup"]
        p = paper.PROGRAMS.get(name)
        out.append("| %s | %s | %s | %.2f× | %s | %s | %.2f× |" % (
            name, _f(t["c1_ns"]), _f(t["c2_ns"], 2), s["ours"],
            "%d, %d" % (p["c1"], p["c2"]) if p else "-",
            "%.2f×" % s["paper"] if s["paper"] is not None else "-",
            s["ours_d_here"]))
    out.append("")
    return "\n".join(out)
