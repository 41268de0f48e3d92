"""PNG plots with gnuplot: cost per packet over K, predicted throughput."""
import os
import shutil
import subprocess

from . import paper


def _panel_layout(n):
    cols = 3 if n > 4 else 2
    return (n + cols - 1) // cols, cols


def render(results, workdir, outdir):
    """Writes cost-vs-k.png and throughput-model.png into outdir."""
    gnuplot = shutil.which("gnuplot")
    if not gnuplot:
        raise RuntimeError("gnuplot not found (Debian: apt-get install "
                           "gnuplot-nox)")
    os.makedirs(outdir, exist_ok=True)
    names = list(results["examples"])
    rows, cols = _panel_layout(len(names))
    d_here = results["dispatch"]["live_drop_ns"]
    d_paper = paper.PAPER_DISPATCH_NS
    cost = ["set terminal pngcairo size %d,%d font ',9'" % (cols * 420, rows * 320),
            "set output '%s'" % os.path.join(outdir, "cost-vs-k.png"),
            "set multiplot layout %d,%d title 'SCR program: ns per packet "
            "vs cores K (K-1 history entries replayed)'" % (rows, cols),
            "set key top left", "set xlabel 'K'", "set ylabel 'ns'",
            "set grid"]
    thr = ["set terminal pngcairo size %d,%d font ',9'" % (cols * 420, rows * 320),
           "set output '%s'" % os.path.join(outdir, "throughput-model.png"),
           "set multiplot layout %d,%d title 'Predicted throughput k / (d + c1 "
           "+ (k-1) c2) vs ideal linear scaling'" % (rows, cols),
           "set key top left", "set xlabel 'cores k'", "set ylabel 'Mpps'",
           "set xrange [1:32]", "set grid"]
    for name in names:
        t = results["examples"][name]["timing"]
        curve = t["cost_curve"]
        data = os.path.join(workdir, "cost-%s.dat" % name)
        old = (results["examples"][name].get("percpu") or {}).get(
            "cost_curve")
        with open(data, "w") as f:
            for i, (k, ns) in enumerate(zip(curve["k"], curve["ns"])):
                f.write("%d %.4f %s\n" % (
                    k, ns, "%.4f" % old["ns"][i] if old else "NaN"))
        a, b = curve["fit_intercept_ns"], curve["fit_slope_ns"]
        cost += ["set title '%s: c2 = %.1f ns'" % (name.replace("_", " "), b),
                 "plot '%s' using 1:2 with points pt 7 title 'measured', "
                 "%f + (x-1)*%f with lines title 'fit', %f with lines dt 2 "
                 "title 'c1 (original)'%s" % (
                     data, a, b, t["c1_ns"],
                     ", '%s' using 1:3 with points pt 6 title 'previous "
                     "per-CPU design'" % data if old else "")]
        c1, c2 = t["c1_ns"], t["c2_ns"]
        thr += ["set title '%s (c1 %.1f, c2 %.1f ns)'" % (
                    name.replace("_", " "), c1, c2),
                "plot %s title 'model, d = %.0f ns (here)', "
                "%s dt 2 title 'linear, d = %.0f ns', "
                "%s title 'model, d = %.0f ns (paper)', "
                "%s dt 2 title 'linear, d = %.0f ns'" % (
                    "1000*x/(%f+%f+(x-1)*%f)" % (d_here, c1, c2), d_here,
                    "1000*x/(%f+%f)" % (d_here, c1), d_here,
                    "1000*x/(%f+%f+(x-1)*%f)" % (d_paper, c1, c2), d_paper,
                    "1000*x/(%f+%f)" % (d_paper, c1), d_paper)]
    for lines, stem in ((cost, "cost"), (thr, "throughput")):
        script = os.path.join(workdir, "%s.gp" % stem)
        with open(script, "w") as f:
            f.write("\n".join(lines + ["unset multiplot"]) + "\n")
        r = subprocess.run([gnuplot, script], capture_output=True, text=True)
        if r.returncode:
            raise RuntimeError("gnuplot failed on %s:\n%s" % (script, r.stderr))
    return [os.path.join(outdir, "cost-vs-k.png"),
            os.path.join(outdir, "throughput-model.png")]
