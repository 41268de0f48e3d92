#!/usr/bin/env python3
"""Checks that sequencer.p4 packs the history entry exactly as
scr_layout.json lays it out: usage check-entry.py scr_layout.json sequencer.p4

* the `// word W: entry bits A..B (names)` comments of scr_pack() cover the
  entry contiguously from bit 0, and name exactly the fields overlapping
  bits A..B, in bit_offset order;
* every assignment `meta.scr_cur_wW = ...` follows its comment, and the
  parts it concatenates add up to B - A + 1 bits; each word is packed once
  (possibly by different pack actions, one per stage);
* header scr_hist_h holds, for each of the N slots in slot order, the words
  in order, each B - A + 1 bits wide.
Prints one OK line, or the first mismatch and exits 1.
"""
import json
import re
import sys


def width(part, widths):
    m = re.fullmatch(r"(\d+)w0", part)
    if m:
        return int(m.group(1))
    m = re.search(r"\[(\d+):(\d+)\]$", part)
    if m:
        return int(m.group(1)) - int(m.group(2)) + 1
    if part in widths:
        return widths[part]
    sys.exit("cannot size part %r" % part)


def main():
    layout = json.load(open(sys.argv[1]))
    p4 = open(sys.argv[2]).read()
    fields = sorted(layout["fields"], key=lambda f: f["bit_offset"])
    entry_bits = layout["entry"]["bytes"] * 8
    # Widths of header fields and metadata by their P4 names.
    widths = {}
    for hdr, body in re.findall(r"header (\w+) \{([^}]*)\}", p4):
        for w, n in re.findall(r"bit<(\d+)> (\w+);", body):
            widths["%s.%s" % (hdr, n)] = int(w)
    insts = dict((i, t) for t, i in
                 re.findall(r"^\s+(scr_\w+_h) (\w+);", p4, re.M))
    named = {}
    for key, w in widths.items():
        t, n = key.split(".")
        for inst, typ in insts.items():
            if typ == t:
                named["hdr.%s.%s" % (inst, n)] = w
    for w, n in re.findall(r"bit<(\d+)> (scr_\w+);", p4):
        named["meta." + n] = int(w)
    words = re.findall(r"// word (\d+): entry bits (\d+)\.\.(\d+) \(([^)]*)\)\n"
                       r"\s+meta\.scr_cur_w(\d+) = (.*);", p4)
    if not words:
        sys.exit("FAIL: no packed words found")
    # Words may be packed by several actions (one per stage): word order.
    words.sort(key=lambda w: int(w[0]))
    if [int(w[0]) for w in words] != list(range(len(words))):
        sys.exit("FAIL: words are not packed exactly once each")
    at = 0
    for w, a, b, names, w2, rhs in words:
        a, b = int(a), int(b)
        if w != w2 or a != at:
            sys.exit("FAIL: word %s starts at bit %d, expected %d" % (w, a, at))
        want = [f["name"] for f in fields
                if f["bit_offset"] <= b and f["bit_offset"] + f["bits"] > a]
        got = [n.strip() for n in names.split(",") if n.strip()]
        if got != want:
            sys.exit("FAIL: word %s holds %s, layout says %s" % (w, got, want))
        rhs = re.sub(r"^\(bit<\d+>\)\((.*)\)$", r"\1", rhs)
        total = sum(width(p.strip(), named) for p in rhs.split(" ++ "))
        if total != b - a + 1:
            sys.exit("FAIL: word %s packs %d bits, not %d" % (w, total, b - a + 1))
        at = b + 1
    if at < layout["entry"]["bits"] or at > entry_bits:
        sys.exit("FAIL: words cover %d bits, entry has %d" % (at, entry_bits))
    hist = re.search(r"header scr_hist_h \{([^}]*)\}", p4).group(1)
    got = re.findall(r"bit<(\d+)> s(\d+)_w(\d+);", hist)
    want = [(str(int(b) - int(a) + 1), str(s), w)
            for s in range(layout["history_length"]) for w, a, b, *_ in words]
    if got != want:
        sys.exit("FAIL: scr_hist_h does not hold N slots of the packed words")
    print("OK entry %d bits in %d words, %d fields, %d slots" %
          (at, len(words), len(fields), layout["history_length"]))


if __name__ == "__main__":
    main()
