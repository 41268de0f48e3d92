#!/usr/bin/env python3
"""scrcc's own cost on valid programs built to be hard for its analysis.

Each family is one XDP program that grows with N; for every N the script
times scrcc (--emit bpf,layout) and `clang-19 -O2 -target bpf -c` on the
same file and prints wall time and peak RSS side by side. The goal
(docs/supported.md#analysis-limits): scrcc within 2x clang's time and under
1 GiB, or a located refusal.

  ifchain  N sequential `if (x == j) acc += j;` on one packet byte feeding
           one map key (joins of N differing values)
  flatsum  one expression `p[0] + p[1] + ... + p[N-1]` over packet bytes,
           the map key (an expression N levels deep)
  stmtsum  N statements `acc += p[j];` then the key (N assignments)
  ifnest   N nested `if (p[j] == j) {` around one update (N packet checks
           on the path, N literals in the relevance filter)

  bench/pathological.py [--family F]... [--sizes 8,64,...] [--scrcc PATH]
                        [--timeout S] [--max-mib M] [--json]

Exit status 1 if scrcc crashed, timed out, went past --max-mib or refused
without a source location on any of them (the time ratio is printed, not
checked: the machines are shared).
  bench/pathological.py --write F N FILE    (only write the program)
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HEADER = """#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

SEC("xdp")
int prog(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	unsigned char *p = data;
	__u64 one = 1, *v;
	__u32 acc = 0;

	if (data + %(need)d > data_end)
		return XDP_PASS;
"""

FOOTER = """	v = bpf_map_lookup_elem(&counts, &acc);
	if (v)
		__sync_fetch_and_add(v, 1);
	else
		bpf_map_update_elem(&counts, &acc, &one, BPF_ANY);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
"""


def program(family, n):
    need = 64
    body = []
    if family == "ifchain":
        body = ["\tif (p[14] == %d)\n\t\tacc += %d;\n" % (j % 256, j + 1)
                for j in range(n)]
    elif family == "flatsum":
        need = max(64, n)
        body = ["\tacc = " + " + ".join("p[%d]" % j for j in range(n))
                + ";\n"]
    elif family == "stmtsum":
        need = max(64, n)
        body = ["\tacc += p[%d];\n" % j for j in range(n)]
    elif family == "ifnest":
        need = max(64, n)
        body = ["\t" * 0 + "\tif (p[%d] != %d)\n\t\treturn XDP_PASS;\n"
                % (j, j % 256) for j in range(n)]
        body.append("\tacc = p[0];\n")
    else:
        raise SystemExit("unknown family " + family)
    return HEADER % {"need": need} + "".join(body) + FOOTER


FAMILIES = ["ifchain", "flatsum", "stmtsum", "ifnest"]


def measure(cmd, timeout):
    """Wall seconds, peak RSS in MiB and exit status of one command."""
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
            err = os.open(cmd[-1] + ".stderr", os.O_WRONLY | os.O_CREAT |
                          os.O_TRUNC)
            os.dup2(err, 2)
            os.execvp(cmd[0], cmd[:-1])
        finally:
            os._exit(127)
    deadline = start + timeout
    while True:
        wpid, status, usage = os.wait4(pid, os.WNOHANG)
        if wpid:
            break
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            wpid, status, usage = os.wait4(pid, 0)
            return timeout, usage.ru_maxrss / 1024, "timeout"
        time.sleep(0.01)
    wall = time.monotonic() - start
    rc = (os.waitstatus_to_exitcode(status))
    return wall, usage.ru_maxrss / 1024, rc


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--family", action="append", choices=FAMILIES)
    ap.add_argument("--sizes", default="8,64,512,4096")
    ap.add_argument("--scrcc", default=shutil.which("scrcc") or "scrcc")
    ap.add_argument("--clang", default="clang-19")
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--max-mib", type=float, default=1024,
                    help="peak RSS past this is a failure (default 1 GiB)")
    ap.add_argument("--write", nargs=3, metavar=("FAMILY", "N", "FILE"))
    a = ap.parse_args()
    if a.write:
        with open(a.write[2], "w") as f:
            f.write(program(a.write[0], int(a.write[1])))
        return 0
    multiarch = subprocess.run(["gcc", "-print-multiarch"], text=True,
                               capture_output=True).stdout.strip()
    rows = []
    work = tempfile.mkdtemp(prefix="scr-patho-")
    if not a.json:
        print("%-8s %6s  %9s %8s  %9s %8s  %6s  %s"
              % ("family", "N", "scrcc s", "MiB", "clang s", "MiB", "ratio",
                 "scrcc result"))
    for fam in a.family or FAMILIES:
        for n in [int(x) for x in a.sizes.split(",")]:
            src = os.path.join(work, "%s%d.bpf.c" % (fam, n))
            with open(src, "w") as f:
                f.write(program(fam, n))
            out = os.path.join(work, "out-%s%d" % (fam, n))
            st, sm, src_rc = measure(
                [a.scrcc, src, "--cores", "4", "--emit", "bpf,layout", "-o",
                 out, src + ".scrcc"], a.timeout)
            ct, cm, crc = measure(
                [a.clang, "-O2", "-g", "-target", "bpf",
                 "-I/usr/include/" + multiarch, "-c", src, "-o",
                 src + ".o", src + ".clang"], a.timeout)
            with open(src + ".scrcc.stderr") as f:
                err = [l for l in f.read().splitlines() if "error" in l]
            located = err and re.search(r":\d+:\d+: error: ", err[0])
            result = ("ok" if src_rc == 0 else
                      "refused: " + err[0].split(": error: ", 1)[1]
                      if located and src_rc == 1 else
                      "FAILED (%s%s)" % (src_rc, ": " + err[0] if err else ""))
            if sm > a.max_mib:
                result = "FAILED (%.0f MiB) %s" % (sm, result)
            row = {"family": fam, "n": n, "scrcc_s": round(st, 3),
                   "scrcc_mib": round(sm, 1), "clang_s": round(ct, 3),
                   "clang_mib": round(cm, 1), "clang_rc": crc,
                   "ratio": round(st / ct, 2) if ct else None,
                   "result": result}
            rows.append(row)
            if not a.json:
                print("%-8s %6d  %9.3f %8.1f  %9.3f %8.1f  %6.2f  %s"
                      % (fam, n, st, sm, ct, cm, row["ratio"] or 0,
                         result[:110]))
                sys.stdout.flush()
    shutil.rmtree(work, ignore_errors=True)
    if a.json:
        print(json.dumps(rows, indent=1))
    bad = [r for r in rows if r["result"].startswith("FAILED")]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
