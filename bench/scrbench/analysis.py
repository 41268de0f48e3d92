"""From the timings of one interleaved run to c1, SCR at K=1, c2 and ratios.

Every derived quantity is computed per round from timings taken seconds
apart, then averaged over rounds (a trimmed mean: the fastest and slowest
fifth of the rounds are dropped), so that drift on a shared machine cancels
instead of biasing one side. The kernel reports whole ns per repeat; the
mean over rounds resolves fractions (the round-to-round noise dithers the
rounding), the trimming keeps a round disturbed by another tenant out.

Per round (all times per packet, the kernel's BPF_PROG_TEST_RUN duration):
  c1        = original - empty      (the test-run loop's own cost removed)
  scr(K)    = c1 + harnessed SCR(K) - harnessed original
              (both harnesses pay one bpf_xdp_adjust_head; it cancels)
  c2        = least-squares slope of harnessed SCR(K) over K-1

The same for the previous design ("percpu_k<K>", variants.percpu_variant),
timed in the same rounds; compare() gives private / percpu per round-mean
and the paired per-round differences (c1 and the harness cancel in them).
"""

def fit_line(xs, ys):
    """Least squares y = a + b x; returns (a, b, r2)."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx == 0:
        return my, 0.0, 1.0
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
    a = my - b * mx
    ss_tot = sum((y - my) ** 2 for y in ys)
    ss_res = sum((y - a - b * x) ** 2 for x, y in zip(xs, ys))
    return a, b, (1 - ss_res / ss_tot) if ss_tot > 0 else 1.0


def trimmed_mean(values):
    """Mean without the lowest and highest fifth (at least one value kept)."""
    v = sorted(values)
    cut = len(v) // 5
    v = v[cut:len(v) - cut] if len(v) - 2 * cut > 0 else v
    return sum(v) / len(v)


def summary(values):
    return {"mean": trimmed_mean(values), "min": min(values),
            "max": max(values)}


def analyse(raw, ks, prefix="scr"):
    """raw: scr-xdp-bench result; ks: the K of program "<prefix>_k<K>"."""
    progs = raw["programs"]
    rounds = raw["rounds"]

    def ns(name):
        return progs[name]["kernel_ns"]

    per_round = {"c1": [], "scr_k1": [], "c2": [], "k1_over_c1": [],
                 "c2_over_c1": [], "harness": []}
    for r in range(rounds):
        c1 = ns("original")[r] - ns("empty")[r]
        hw = ns("original_harness")[r]
        scr = [ns("%s_k%d" % (prefix, k))[r] for k in ks]
        _, c2, _ = fit_line([k - 1 for k in ks], scr)
        k1 = c1 + ns("%s_k%d" % (prefix, ks[0]))[r] - hw
        per_round["c1"].append(c1)
        per_round["scr_k1"].append(k1)
        per_round["c2"].append(c2)
        per_round["k1_over_c1"].append(k1 / c1 if c1 > 0 else float("inf"))
        per_round["c2_over_c1"].append(c2 / c1 if c1 > 0 else float("inf"))
        per_round["harness"].append(hw - ns("original")[r])

    mean = {name: trimmed_mean(ns(name)) for name in progs}
    c1 = trimmed_mean(per_round["c1"])
    # The cost curve from the per-program means, 
    # for the plot and the fit quality.
    curve = [c1 + mean["%s_k%d" % (prefix, k)] - mean["original_harness"]
             for k in ks]
    a, b, r2 = fit_line([k - 1 for k in ks], curve)
    return {
        "prefix": prefix,
        "c1_ns": c1,
        "scr_k1_ns": trimmed_mean(per_round["scr_k1"]),
        "c2_ns": trimmed_mean(per_round["c2"]),
        # Ratios of the means of the per-round values (a mean of per-round
        # ratios of small, whole-ns numbers would be biased upwards).
        "k1_over_c1": trimmed_mean(per_round["scr_k1"]) / c1,
        "c2_over_c1": trimmed_mean(per_round["c2"]) / c1,
        "spread": {k: summary(v) for k, v in per_round.items()},
        "per_round": {"scr_k1": per_round["scr_k1"], "c2": per_round["c2"]},
        "raw_mean_ns": mean,
        "empty_ns": mean["empty"],
        "harness_ns": trimmed_mean(per_round["harness"]),
        "cost_curve": {"k": ks, "ns": curve, "fit_intercept_ns": a,
                       "fit_slope_ns": b, "fit_r2": r2},
        "verdicts": {n: p.get("verdict") for n, p in progs.items()
                     if n == "original" or n.startswith(prefix + "_k")},
    }


def compare(new, old, raw=None, k1=1, again="again"):
    """Today's design (new) against the previous one (old), both analyse()d
    from the same run: ratios new / old of the SCR-at-K=1 and c2 means, and
    the paired per-round differences new - old with their spread.

    With raw and a program "<again>_k<k1>" in it (new's K=1 program loaded
    and timed a second time), also the A/A difference again - new at K=1:
    how far two loads of one program land apart (maps and JIT image at other
    addresses), the floor below which a K=1 difference means nothing. K=1
    counts as slower only if it is slower by more than that floor."""
    out = {}
    for q in ("scr_k1", "c2"):
        d = [a - b for a, b in zip(new["per_round"][q], old["per_round"][q])]
        key = "k1" if q == "scr_k1" else "c2"
        mn, mo = new[q + "_ns"], old[q + "_ns"]
        out[key + "_ratio"] = mn / mo if mo > 0 else float("inf")
        out[key + "_delta_ns"] = trimmed_mean(d)
        out[key + "_delta_spread"] = summary(d)
        # Slower: by the means, and in most rounds (not one noisy round).
        out[key + "_slower"] = (mn > mo and
                                sum(x > 0 for x in d) * 2 > len(d))
    name = "%s_k%d" % (again, k1)
    if raw and name in raw["programs"]:
        p = raw["programs"]
        aa = [a - b for a, b in zip(p[name]["kernel_ns"],
                                    p["%s_k%d" % (new["prefix"], k1)]
                                    ["kernel_ns"])]
        out["k1_aa_delta_ns"] = trimmed_mean(aa)
        out["k1_aa_spread"] = summary(aa)
        out["k1_slower"] = (out["k1_slower"] and
                            out["k1_delta_ns"] > abs(out["k1_aa_delta_ns"]))
    return out


def predicted_mpps(k, d, c1, c2):
    """The paper's model: k / (d + c1 + (k-1) c2) packets per ns, in Mpps."""
    return 1000.0 * k / (d + c1 + (k - 1) * c2)


def predicted_speedup(k, d, c1, c2):
    """The model's speed-up at k cores over the original on one core
    (1 / (d + c1)): k (d + c1) / (d + c1 + (k-1) c2)."""
    return predicted_mpps(k, d, c1, c2) / predicted_mpps(1, d, c1, c2)
