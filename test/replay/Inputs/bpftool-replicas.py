#!/usr/bin/env python3
"""Runs SCR frames through ONE object loaded with plain bpftool, as deployed.

Usage: bpftool-replicas.py OBJECT.o PROGRAM FRAMES.pcap K ORDER [--by-cpu]
       bpftool-replicas.py --reference REF.o PROGRAM TRACE.pcap TS_BITS

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

--config MAP:KEYHEX=VALUEHEX (repeatable, before the other arguments)
writes an entry into a configuration map with `bpftool map update` after
loading, as a control plane would.

--by-cpu runs replica r's frames on CPU r mod the CPU count (taskset) with
no queue context instead: how a program that keys replicas by CPU (per-CPU
maps) would be deployed.

--reference runs the original packets through scrcc's reference variant
instead (REF.o, from <stem>.ref.bpf.c), setting its clock (scr_ref_env
.now_ns) to each packet's pcap timestamp in ns, cut to TS_BITS bits as the
sequencer stamps it, and leaving its PRNG as the program left it.

Prints one line per frame, in trace order: "FRAME VERDICT".
"""
import contextlib
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

VERDICTS = {0: "ABORTED", 1: "DROP", 2: "PASS", 3: "TX", 4: "REDIRECT"}


def frames(path, with_ns=False):
    data = open(path, "rb").read()
    magic = struct.unpack("<I", data[:4])[0]
    if magic not in (0xA1B2C3D4, 0xA1B23C4D):
        sys.exit("bpftool-replicas.py: %s is not a little-endian pcap" % path)
    scale = 1 if magic == 0xA1B23C4D else 1000
    pos, out = 24, []
    while pos + 16 <= len(data):
        sec, frac, incl = struct.unpack("<III", data[pos:pos + 12])
        frame = data[pos + 16:pos + 16 + incl]
        out.append((sec * 10**9 + frac * scale, frame) if with_ns else frame)
        pos += 16 + incl
    return out


def hex_words(text):
    return ["hex"] + [text[i:i + 2] for i in range(0, len(text), 2)]


def load(obj, pins, maps, config):
    run(["bpftool", "prog", "loadall", obj, pins, "type", "xdp", "pinmaps",
         maps])
    for entry in config:
        name, _, kv = entry.partition(":")
        key, _, value = kv.partition("=")
        run(["bpftool", "map", "update", "pinned", os.path.join(maps, name),
             "key"] + hex_words(key) + ["value"] + hex_words(value))


def reference(obj, prog_name, pcap, ts_bits, work, bpffs, config):
    pins, maps = os.path.join(bpffs, "ref"), os.path.join(bpffs, "refmaps")
    load(obj, pins, maps, config)
    env = os.path.join(maps, "scr_ref_env")
    zero = ["0", "0", "0", "0"]
    data = os.path.join(work, "frame.bin")
    for i, (ns, frame) in enumerate(frames(pcap, with_ns=True)):
        value = json.loads(run(["bpftool", "-j", "map", "lookup", "pinned",
                                env, "key"] + zero))["value"]
        prng = bytes(int(b, 16) for b in value[8:16])
        now = struct.pack("<Q", ns & ((1 << ts_bits) - 1))
        run(["bpftool", "map", "update", "pinned", env, "key"] + zero +
            ["value"] + ["%d" % b for b in now + prng])
        with open(data, "wb") as f:
            f.write(frame)
        print("%d %s" % (i, verdict_of(run(["bpftool", "prog", "run",
                                            "pinned",
                                            os.path.join(pins, prog_name),
                                            "data_in", data]))))


def verdict_of(out):
    code = [l for l in out.splitlines() if l.startswith("Return value:")]
    if not code:
        raise RuntimeError("no return value from bpftool:\n" + out)
    value = int(code[0].split(":")[1].split(",")[0])
    return VERDICTS.get(value, str(value))


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


@contextlib.contextmanager
def private_bpffs(prefix):
    """A fresh work directory with a private bpffs mounted at WORK/bpffs;
    yields both, unmounts and removes them on exit, even on failure."""
    work = tempfile.mkdtemp(prefix=prefix)
    bpffs = os.path.join(work, "bpffs")
    os.mkdir(bpffs)
    mounted = False
    try:
        run(["mount", "-t", "bpf", "bpf", bpffs])
        mounted = True
        yield work, bpffs
    finally:
        if mounted:
            subprocess.run(["umount", bpffs], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


@contextlib.contextmanager
def queue_device(ns, queues):
    """The veth scr0/scr1 with `queues` queues in network namespace `ns`,
    made here and deleted on exit; yields scr0's ifindex."""
    try:
        run(["ip", "netns", "add", ns])
        q = str(queues)
        run(["ip", "-n", ns, "link", "add", "scr0", "numtxqueues", q,
             "numrxqueues", q, "type", "veth", "peer", "name", "scr1",
             "numtxqueues", q, "numrxqueues", q])
        yield int(run(["ip", "netns", "exec", ns, "cat",
                       "/sys/class/net/scr0/ifindex"]).strip())
    finally:
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)


def run_on_queue(prog, frame, queue, ns, ifindex, work):
    """Runs `frame` through the pinned program `prog` as if it arrived on RX
    queue `queue` of scr0 (queue_device); returns bpftool's output."""
    data, ctx = os.path.join(work, "frame.bin"), os.path.join(work, "ctx.bin")
    with open(data, "wb") as f:
        f.write(frame)
    with open(ctx, "wb") as f:
        # struct xdp_md: data, data_end, data_meta, ingress_ifindex,
        # rx_queue_index, egress_ifindex.
        f.write(struct.pack("<6I", 0, len(frame), 0, ifindex, queue, 0))
    # nsenter keeps our mount namespace, and so the private bpffs.
    return run(["nsenter", "--net=/run/netns/" + ns, "bpftool", "prog", "run",
                "pinned", prog, "data_in", data, "ctx_in", ctx])


def main():
    argv, config = sys.argv[1:], []
    while len(argv) >= 2 and argv[0] == "--config":
        config.append(argv[1])
        argv = argv[2:]
    args = [a for a in argv if a not in ("--by-cpu", "--reference")]
    by_cpu = "--by-cpu" in sys.argv
    is_ref = "--reference" in sys.argv
    if len(args) != (4 if is_ref else 5):
        print(__doc__, file=sys.stderr)
        return 2
    obj, prog_name, pcap = args[0], args[1], args[2]
    k, spec = (1, "") if is_ref else (int(args[3]), args[4])
    ns = "scr-bt-%d" % os.getpid()
    try:
        with contextlib.ExitStack() as stack:
            work, bpffs = stack.enter_context(
                private_bpffs("scr-bpftool-replicas-"))
            if is_ref:
                reference(obj, prog_name, pcap, int(args[3]), work, bpffs,
                          config)
                return 0
            pins = os.path.join(bpffs, "obj")
            load(obj, pins, os.path.join(bpffs, "maps"), config)
            prog = os.path.join(pins, prog_name)
            if not by_cpu:
                ifindex = stack.enter_context(queue_device(ns, k))
            cpus = os.cpu_count() or 1
            fs = frames(pcap)
            verdicts = {}
            for i in order(len(fs), k, spec):
                if by_cpu:
                    data = os.path.join(work, "frame.bin")
                    with open(data, "wb") as f:
                        f.write(fs[i])
                    out = run(["taskset", "-c", str(i % k % cpus), "bpftool",
                               "prog", "run", "pinned", prog, "data_in",
                               data])
                else:
                    out = run_on_queue(prog, fs[i], i % k, ns, ifindex, work)
                verdicts[i] = verdict_of(out)
            for i in range(len(fs)):
                print("%d %s" % (i, verdicts[i]))
    except (RuntimeError, OSError, ValueError) as e:
        print("bpftool-replicas.py: error: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
