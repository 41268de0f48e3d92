#!/usr/bin/env python3
"""Damaged scr_layout.json files, and what every tool that reads one must say.

Each case takes the good layout Inputs/base.json (scrcc's layout of
examples/portknock.bpf.c at 4 cores), damages one member and names the
message Layout::validate (or the reader) gives. `run` feeds every case to
every tool that loads a layout and fails unless each one exits non-zero
(not by a signal, within a time limit) with that message on stderr.
`write DIR` only writes the damaged files (the layout fuzzer's seeds).

  damaged.py run BASE.json WORKDIR [CASE...]
  damaged.py write BASE.json DIR
"""
import copy
import json
import os
import subprocess
import sys


def deep(depth):
    """A relevance expression nested `depth` levels: lnot(lnot(...1...))."""
    e = {"op": "const", "value": 1}
    for _ in range(depth - 1):
        e = {"op": "lnot", "args": [e]}
    return e


def deep_text(depth):
    """deep(depth) as JSON text (too deep for the json module to write)."""
    return ('{"op": "lnot", "args": [' * (depth - 1) + '{"op": "const", '
            '"value": 1}' + ']}' * (depth - 1))


def with_relevance_text(text):
    """The layout with its relevance replaced by raw JSON \p text."""
    return lambda L: json.dumps(dict(L, relevance="@@")).replace('"@@"', text)


F0 = lambda L: L["fields"][0]   # iph_saddr, a 32-bit packet field at bit 0
F1 = lambda L: L["fields"][1]   # p_dport_knock_port_1, a predicate at bit 32


def setter(get, key, value):
    def f(L):
        get(L)[key] = value
    return f


def top(key, value):
    return setter(lambda L: L, key, value)


# (name, damage: layout dict -> None or replacement text, message)
CASES = [
    ("not-json", lambda L: "{\"schema\": ", "layout is not valid JSON"),
    ("not-a-layout", lambda L: "[1, 2, 3]", "not an scrcc layout"),
    ("version-2", top("version", 2),
     "layout schema version 2 is not supported (this build reads version 1)"),
    ("cores-zero", top("cores", 0), "cores is 0; it must be 1..1024"),
    ("cores-negative", top("cores", -1), "cores is -1; it must be 1..1024"),
    ("cores-huge", top("cores", 10**12),
     "cores is 1000000000000; it must be 1..1024"),
    ("cores-string", top("cores", "four"),
     "cores must be an integer (got \"four\")"),
    ("cores-missing", lambda L: L.pop("cores") and None, "missing \"cores\""),
    ("history-70000", top("history_length", 70000),
     "history_length is 70000; it must be 0..65535"),
    ("history-past-frame", top("history_length", 65535),
     "prefix_bytes would be 327695 (history_length 65535 x 5-byte entries)"),
    ("timestamp-bits-zero", top("timestamp_bits", 0),
     "timestamp_bits is 0; it must be 16..64"),
    ("timestamp-bits-100", top("timestamp_bits", 100),
     "timestamp_bits is 100; it must be 16..64"),
    ("bit-offset-negative", setter(F0, "bit_offset", -8),
     "fields[0].bit_offset is -8; it must be 0..2047"),
    ("bit-offset-overflow", setter(F0, "bit_offset", 4294967290),
     "fields[0].bit_offset is 4294967290; it must be 0..2047"),
    ("bit-offset-past-entry", setter(F0, "bit_offset", 2040),
     "field 'iph_saddr': bit_offset 2040 + bits 32 is past the largest "
     "entry (2048 bits)"),
    ("bits-zero", setter(F1, "bits", 0),
     "fields[1].bits is 0; it must be 1..64"),
    ("bits-65", setter(F0, "bits", 65), "fields[0].bits is 65; it must be 1..64"),
    ("bits-float", setter(F0, "bits", 32.5),
     "fields[0].bits must be an integer (got 32.5)"),
    ("packet-bits-12", setter(F0, "bits", 12),
     "field 'iph_saddr': packet fields are 1, 2, 4 or 8 bytes (bits 12)"),
    ("predicate-bits-3", setter(F1, "bits", 3),
     "field 'p_dport_knock_port_1': a predicate has 1 bit (bits 3)"),
    ("overlap", setter(F1, "bit_offset", 30),
     "field 'p_dport_knock_port_1': bits 30..30 overlap field 'iph_saddr' "
     "(bits 0..31)"),
    ("duplicate-name", setter(F1, "name", "iph_saddr"),
     "field 'iph_saddr': the name is used by fields[0] too"),
    ("name-not-identifier", setter(F0, "name", "x; } evil {"),
     "fields[0]: name 'x; } evil {' is not a C identifier"),
    ("name-keyword", setter(F0, "name", "int"),
     "fields[0]: name 'int' is a C keyword"),
    ("name-empty", setter(F0, "name", ""), "fields[0]: name '' is empty"),
    ("name-long", setter(F0, "name", "n" * 65),
     "is longer than 64 characters"),
    ("name-number", setter(F0, "name", 7), "fields[0].name must be a string"),
    ("c-type-injection", setter(F0, "c_type", "__u8 x; }; int y"),
     "field 'iph_saddr': c_type '__u8 x; }; int y' is not a C type name"),
    ("kind-unknown", setter(F0, "kind", "pointer"),
     "fields[0].kind: unknown kind \"pointer\""),
    ("wide-unaligned",
     lambda L: L["fields"].append({"name": "wide", "kind": "length",
                                   "bit_offset": 36, "bits": 60,
                                   "c_type": "__u64"}),
     "field 'wide': a field wider than 56 bits must start on a byte boundary"),
    ("fields-not-array", top("fields", {}), "fields must be an array"),
    ("field-not-object", top("fields", [1]), "fields[0] must be an object"),
    ("relevance-missing", lambda L: L.pop("relevance") and None,
     "missing \"relevance\""),
    ("relevance-deep-257", top("relevance", deep(257)),
     "relevance: expression nested deeper than 256 levels"),
    ("relevance-deep-50000", with_relevance_text(deep_text(50000)),
     "relevance: expression nested deeper than 256 levels"),
    ("expr-deep-offset", setter(F0, "offset", {"op": "pkt", "bytes": 1,
                                               "args": [deep(300)]}),
     "field 'iph_saddr' offset: expression nested deeper than 256 levels"),
    ("expr-unknown-op", top("relevance", {"op": "div", "args": []}),
     "relevance: unknown expression op \"div\""),
    ("expr-arity", top("relevance", {"op": "add", "args": [deep(1)]}),
     "relevance: add takes 2 argument(s)"),
    ("expr-pkt-bytes", setter(F0, "offset", {"op": "pkt", "bytes": 3,
                                             "args": [deep(1)]}),
     "field 'iph_saddr' offset: pkt \"bytes\" must be 1, 2, 4 or 8"),
    ("expr-const-negative", top("relevance", {"op": "const", "value": -1}),
     "relevance: const needs an unsigned \"value\""),
    ("expr-not-object", top("relevance", "1"),
     "relevance: expression must be an object with \"op\""),
    ("entry-bytes-small", setter(lambda L: L["entry"], "bytes", 2),
     "entry.bytes is 2; it must be between the packed entry (5 bytes) and 256"),
    ("entry-bytes-huge", setter(lambda L: L["entry"], "bytes", 300),
     "entry.bytes is 300; it must be 0..256"),
    ("sequencer-mode", setter(lambda L: L["sequencer"], "mode", "fpga"),
     "sequencer.mode must be \"nic\" or \"tor\""),
    ("sequencer-missing", lambda L: L.pop("sequencer") and None,
     "missing \"sequencer\""),
    ("outer-mac",
     top("sequencer", {"mode": "tor", "outer_ethernet": {"dst": "02:00",
                                                         "src": "x"}}),
     "sequencer.outer_ethernet: bad MAC address"),
    ("log-entries",
     top("loss_recovery", {"enabled": True, "log_entries": 1000}),
     "loss_recovery.log_entries is 1000; it must be a power of two"),
    ("loss-enabled-string",
     top("loss_recovery", {"enabled": "yes", "log_entries": 1024}),
     "loss_recovery.enabled must be true or false"),
    ("entry-not-identifier", setter(lambda L: L["program"], "entry", "a b"),
     "program.entry 'a b' is not a C identifier"),
    ("state-name", setter(lambda L: L["state"][0], "name", "knock-state"),
     "state[0]: name 'knock-state' is not a C identifier"),
    ("state-duplicate",
     lambda L: L["state"].append(copy.deepcopy(L["state"][0])),
     "state[1] 'knock_state': the name is used by state[0] too"),
    ("state-kind", setter(lambda L: L["state"][0], "kind", "ringbuf"),
     "state[0] 'knock_state': kind 'ringbuf' is not \"map\" or \"global\""),
]


def damaged(base):
    for name, damage, message in CASES:
        L = copy.deepcopy(base)
        text = damage(L)
        yield name, text if isinstance(text, str) else json.dumps(L), message


def tools(layout, scr_dir, work):
    """Every tool that reads a layout, as the command that makes it read it."""
    pcap = os.path.join(work, "trace.pcap")
    out = os.path.join(work, "out")
    return [
        ("scr-seq", ["scr-seq", "--layout", layout, "-i", pcap, "-o",
                     out + ".pcap"]),
        ("scr-seq --dump", ["scr-seq", "--layout", layout, "--dump", pcap]),
        ("scr-replay", ["scr-replay", "--scr", scr_dir, "--trace", pcap,
                        "--cores", "1"]),
        ("scr-replica", ["scr-replica", "state", "--scr", scr_dir, "--map",
                         "knock_state"]),
        ("scr-p4", ["scr-p4", "--layout", layout, "-o", out]),
        ("scr-verilog", ["scr-verilog", "--layout", layout, "-o", out]),
        ("scr-verilog-vectors", ["scr-verilog-vectors", "--layout", layout,
                                 "-i", pcap, "--stim", out + ".stim",
                                 "--expect", out + ".expect"]),
    ]


def run(base_path, work, only):
    with open(base_path) as f:
        base = json.load(f)
    os.makedirs(work, exist_ok=True)
    subprocess.run(["scr-trace", "--kind", "portknock", "--packets", "4",
                    "-o", os.path.join(work, "trace.pcap")], check=True,
                   capture_output=True)
    failures = 0
    for name, text, message in damaged(base):
        if only and name not in only:
            continue
        scr_dir = os.path.join(work, name)
        os.makedirs(scr_dir, exist_ok=True)
        layout = os.path.join(scr_dir, "scr_layout.json")
        with open(layout, "w") as f:
            f.write(text)
        for tool, cmd in tools(layout, scr_dir, work):
            try:
                p = subprocess.run(cmd, capture_output=True, text=True,
                                   timeout=30)
                rc, err = p.returncode, p.stderr.strip()
            except subprocess.TimeoutExpired:
                rc, err = None, "timed out after 30 s"
            bad = (rc is None or rc <= 0 or rc >= 128 or message not in err
                   or "error:" not in err)
            if bad:
                failures += 1
                print("FAIL %s: %s: exit %s: %s (expected: %s)"
                      % (name, tool, rc, err[:300], message))
        print("%s: %s" % (name, message))
    print("%d damaged layouts, %d tools each, %d failures"
          % (len([c for c in CASES if not only or c[0] in only]),
             len(tools("", "", "")), failures))
    return 1 if failures else 0


def write(base_path, out):
    with open(base_path) as f:
        base = json.load(f)
    os.makedirs(out, exist_ok=True)
    for name, text, _ in damaged(base):
        with open(os.path.join(out, name + ".json"), "w") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "run":
        sys.exit(run(sys.argv[2], sys.argv[3], set(sys.argv[4:])))
    if len(sys.argv) == 4 and sys.argv[1] == "write":
        sys.exit(write(sys.argv[2], sys.argv[3]))
    sys.exit(__doc__)
