#!/usr/bin/env python3
"""Runs SCR frames, some of them edited, through ONE object, as deployed.

Usage: hostile.py OBJECT.o PROGRAM OUTDIR FRAMES.pcap K [EDIT]...

The object (scrcc's SCR program, compiled) is loaded once with plain
bpftool (pins in a private bpffs, removed on exit). Frame i belongs to
replica i mod K and runs, in trace order, with `bpftool prog run` and an
xdp_md naming RX queue i mod K of a K-queue veth in a network namespace
made here (deleted on exit), which is how the program tells its replicas
apart. OUTDIR is scrcc's output directory: its scr_layout.json says where
the SCR header is (tor mode: after the outer Ethernet header) and which
maps are the replicated state.

Edits (docs/packet-format.md has the header fields):
  dup:I               frame I is delivered twice (again right after itself)
  set:I:FIELD=VALUE   header field FIELD of frame I (seq, hist_seq, ts,
                      oldest, flags) becomes VALUE (decimal or 0x hex)
  add:I:FIELD=DELTA   adds DELTA (may be negative) to FIELD, modulo its width
  insert:I:PCAP:J:Q   frame J of PCAP runs on RX queue Q just before frame I
  drop:I              frame I never arrives
  interleave:PCAP:N   frame J < N of PCAP runs on RX queue J mod K just
                      before frame J

Prints, in run order, "frame I q Q VERDICT" ("frame I' ..." for a
duplicate, "insert PCAP:J q Q VERDICT" for an inserted frame); then each
replica's bookkeeping ("replica R: applied A, gaps G, replayed P" and the
non-zero frame-check counters of scr_replica); then the state, one line per
entry: "state MAP replica R: KEYHEX VALUEHEX" for every written map of the
layout, and "state prng replica R: HEX" when the program uses the PRNG.
"""
import importlib.util
import json
import os
import sys

# The pcap reader, bpftool runner and loader of the replay's bpftool tests.
_spec = importlib.util.spec_from_file_location("bpftool_replicas", os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "replay",
    "Inputs", "bpftool-replicas.py"))
BT = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(BT)
frames, run = BT.frames, BT.run

FIELDS = {"seq": (0, 4), "hist_seq": (4, 4), "ts": (8, 8), "oldest": (16, 2),
          "flags": (18, 1)}
BOOKKEEPING = ["applied", "gaps", "replayed"]
COUNTERS = ["short_frames", "not_scr", "duplicates", "bad_seq",
            "bad_hist_seq", "bad_oldest", "bad_ts", "bad_flags", "resyncs"]


def edit_field(frame, hdr, spec, add):
    name, _, value = spec.partition("=")
    if name not in FIELDS:
        raise ValueError("unknown header field '%s'" % name)
    off, size = FIELDS[name]
    off += hdr
    old = int.from_bytes(frame[off:off + size], "big")
    new = (old + int(value, 0) if add else int(value, 0)) % (1 << (8 * size))
    return frame[:off] + new.to_bytes(size, "big") + frame[off + size:]


def plan(fs, k, edits, hdr):
    """(label, queue, bytes) in run order."""
    fs = list(fs)
    dups, drops, inserts = set(), set(), {}
    for e in edits:
        kind, _, rest = e.partition(":")
        if kind in ("set", "add"):
            i, _, spec = rest.partition(":")
            fs[int(i)] = edit_field(fs[int(i)], hdr, spec, kind == "add")
        elif kind == "dup":
            dups.add(int(rest))
        elif kind == "drop":
            drops.add(int(rest))
        elif kind == "interleave":
            pcap, _, count = rest.rpartition(":")
            for j, f in enumerate(frames(pcap)[:int(count)]):
                inserts.setdefault(j, []).append(
                    ("insert %s:%d" % (os.path.basename(pcap), j), j % k, f))
        elif kind == "insert":
            i, pcap, j, q = rest.split(":")
            inserts.setdefault(int(i), []).append(
                ("insert %s:%s" % (os.path.basename(pcap), j), int(q),
                 frames(pcap)[int(j)]))
        else:
            raise ValueError("unknown edit '%s'" % e)
    out = []
    for i, f in enumerate(fs):
        out += inserts.get(i, [])
        if i in drops:
            continue
        out.append(("frame %d" % i, i % k, f))
        if i in dups:
            out.append(("frame %d'" % i, i % k, f))
    return out


def dump(path):
    return json.loads(run(["bpftool", "-j", "map", "dump", "pinned", path]))


def hexbytes(words):
    return "".join("%02x" % int(w, 16) for w in words)


def run_frames(runs, prog, work, ns, ifindex):
    for label, queue, frame in runs:
        out = BT.run_on_queue(prog, frame, queue, ns, ifindex, work)
        print("%s q %d %s" % (label, queue, BT.verdict_of(out)))


def print_state(maps, k, layout):
    written = [s["name"] for s in layout["state"] if s.get("written")]
    reps = sorted(dump(os.path.join(maps, "scr_replica")),
                  key=lambda e: e["formatted"]["key"])
    for e in reps:
        v = e["formatted"]["value"]
        line = "replica %d: " % e["formatted"]["key"]
        line += ", ".join("%s %d" % (n, v[n]) for n in BOOKKEEPING)
        bad = ["%s %d" % (n, v[n]) for n in COUNTERS if v.get(n)]
        print(line + ("; " + ", ".join(bad) if bad else ""))
    for name in written:
        for r in range(k):
            entries = dump(os.path.join(maps, "%s__r%d" % (name, r)))
            for e in sorted(entries, key=lambda e: hexbytes(e["key"])):
                print("state %s replica %d: %s %s" % (
                    name, r, hexbytes(e["key"]), hexbytes(e["value"])))
    if layout.get("environment", {}).get("prng", False):
        for e in reps:
            print("state prng replica %d: %x" % (
                e["formatted"]["key"], e["formatted"]["value"]["prng"]))


def main():
    if len(sys.argv) < 6:
        print(__doc__, file=sys.stderr)
        return 2
    obj, prog_name, outdir, pcap, k = sys.argv[1:6]
    k = int(k)
    try:
        layout = json.load(open(os.path.join(outdir, "scr_layout.json")))
        hdr = 14 if layout["sequencer"]["mode"] == "tor" else 0
        runs = plan(frames(pcap), k, sys.argv[6:], hdr)
        queues = max(k, max(r[1] for r in runs) + 1)
        ns = "scr-hostile-%d" % os.getpid()
        with BT.private_bpffs("scr-hostile-") as (work, bpffs), \
                BT.queue_device(ns, queues) as ifindex:
            pins, maps = os.path.join(bpffs, "obj"), os.path.join(bpffs, "maps")
            BT.load(obj, pins, maps, [])
            run_frames(runs, os.path.join(pins, prog_name), work, ns, ifindex)
            print_state(maps, k, layout)
    except (RuntimeError, OSError, ValueError, IndexError, KeyError) as e:
        print("hostile.py: error: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
