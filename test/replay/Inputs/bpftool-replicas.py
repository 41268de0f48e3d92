#!/usr/bin/env python3
"""Runs SCR frames through ONE object loaded with plain bpftool, as deployed.

Usage: bpftool-replicas.py OBJECT.o PROGRAM FRAMES.pcap K ORDER [--by-cpu]

The object is loaded once with `bpftool prog loadall` (pins in a private
bpffs, removed on exit). Frame i belongs to replica i mod K and runs with
`bpftool prog run ... ctx_in CTX`, CTX an xdp_md naming RX queue i mod K of
a veth with K queues in a network namespace made here (and deleted on
exit): that is how the program tells its replicas apart. Nothing of scrcc's
runtime is used; the frames come from any sequencer.

ORDER says in which order the frames run (each replica always runs its own
frames in order):
  lockstep       frame 0, 1, 2, ...
  ahead:W        each replica in turn runs W of its frames early
  behind:W       each replica in turn runs W of its frames late

--by-cpu runs replica r's frames on CPU r mod the CPU count (taskset) with
no queue context instead: how a program that keys replicas by CPU (per-CPU
maps) would be deployed.

Prints one line per frame, in trace order: "FRAME VERDICT".
"""
import os
import shutil
import struct
import subprocess
import sys
import tempfile

VERDICTS = {0: "ABORTED", 1: "DROP", 2: "PASS", 3: "TX", 4: "REDIRECT"}


def frames(path):
    data = open(path, "rb").read()
    magic = struct.unpack("<I", data[:4])[0]
    if magic not in (0xA1B2C3D4, 0xA1B23C4D):
        sys.exit("bpftool-replicas.py: %s is not a little-endian pcap" % path)
    pos, out = 24, []
    while pos + 16 <= len(data):
        incl = struct.unpack("<I", data[pos + 8:pos + 12])[0]
        out.append(data[pos + 16:pos + 16 + incl])
        pos += 16 + incl
    return out


def order(n, k, spec):
    """Frame indices in run order; replica r's frames keep their order."""
    if spec == "lockstep" or k == 1:
        return list(range(n))
    kind, _, w = spec.partition(":")
    lead = int(w) * k
    nxt = list(range(k))
    out = []
    while len(out) < n:
        odd = len(out) * k // n
        others = [r for r in range(k) if r != odd and nxt[r] < n]
        first = min(others, key=lambda r: nxt[r]) if others else None
        if kind == "ahead":
            pick = odd if nxt[odd] < n and (
                first is None or nxt[odd] < nxt[first] + lead) else first
        elif kind == "behind":
            pick = odd if nxt[odd] < n and (
                first is None or nxt[odd] + lead <= nxt[first]) else first
        else:
            sys.exit("bpftool-replicas.py: unknown order '%s'" % spec)
        out.append(nxt[pick])
        nxt[pick] += k
    return out


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("%s failed:\n%s%s" % (" ".join(cmd), r.stdout,
                                                 r.stderr))
    return r.stdout


def main():
    args = [a for a in sys.argv[1:] if a != "--by-cpu"]
    by_cpu = len(args) != len(sys.argv) - 1
    if len(args) != 5:
        print(__doc__, file=sys.stderr)
        return 2
    obj, prog_name, pcap, k, spec = args[0], args[1], args[2], int(args[3]), args[4]
    ns = "scr-bt-%d" % os.getpid()
    work = tempfile.mkdtemp(prefix="scr-bpftool-replicas-")
    bpffs = os.path.join(work, "bpffs")
    os.mkdir(bpffs)
    mounted = False
    try:
        run(["mount", "-t", "bpf", "bpf", bpffs])
        mounted = True
        pins = os.path.join(bpffs, "obj")
        run(["bpftool", "prog", "loadall", obj, pins, "type", "xdp"])
        prog = os.path.join(pins, prog_name)
        enter = []
        ifindex = 0
        if not by_cpu:
            run(["ip", "netns", "add", ns])
            q = str(k)
            run(["ip", "-n", ns, "link", "add", "scr0", "numtxqueues", q,
                 "numrxqueues", q, "type", "veth", "peer", "name", "scr1",
                 "numtxqueues", q, "numrxqueues", q])
            ifindex = int(run(["ip", "netns", "exec", ns, "cat",
                               "/sys/class/net/scr0/ifindex"]).strip())
            # nsenter keeps our mount namespace, and so the private bpffs.
            enter = ["nsenter", "--net=/run/netns/" + ns]
        cpus = os.cpu_count() or 1
        fs = frames(pcap)
        verdicts = {}
        for i in order(len(fs), k, spec):
            data = os.path.join(work, "frame.bin")
            with open(data, "wb") as f:
                f.write(fs[i])
            cmd = ["bpftool", "prog", "run", "pinned", prog, "data_in", data]
            if by_cpu:
                cmd = ["taskset", "-c", str(i % k % cpus)] + cmd
            else:
                ctx = os.path.join(work, "ctx.bin")
                with open(ctx, "wb") as f:
                    # struct xdp_md: data, data_end, data_meta,
                    # ingress_ifindex, rx_queue_index, egress_ifindex.
                    f.write(struct.pack("<6I", 0, len(fs[i]), 0, ifindex,
                                        i % k, 0))
                cmd += ["ctx_in", ctx]
            out = run(enter + cmd)
            code = [l for l in out.splitlines() if l.startswith("Return value:")]
            if not code:
                raise RuntimeError("no return value from bpftool:\n" + out)
            value = int(code[0].split(":")[1].split(",")[0])
            verdicts[i] = VERDICTS.get(value, str(value))
        for i in range(len(fs)):
            print("%d %s" % (i, verdicts[i]))
    except (RuntimeError, OSError, ValueError) as e:
        print("bpftool-replicas.py: error: %s" % e, file=sys.stderr)
        return 1
    finally:
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        if mounted:
            subprocess.run(["umount", bpffs], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
