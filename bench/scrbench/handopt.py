"""Hand-made versions of emitter changes, applied to scrcc's output, to
measure what they would gain before the compiler makes them
(bench/indirection.py times them; docs/performance.md has the numbers).

Each function takes a generated SCR program (today's design) and returns a
program that runs replica 0 -- the replica a BPF_PROG_TEST_RUN without an
xdp_md context executes as -- the way the changed emitter would. Some are
only valid for replica 0 and say so: they are cost models, not programs to
deploy.

* direct(): no indirection at all: every scr_map_X(&NAME, ...) becomes
  bpf_map_X(&NAME__r0, ...), and the replay's scr_fr->NAME &NAME__r0. The lower bound of any way of reaching the
  replica's maps (replica 0 only).
* hoisted(): direct(), plus the indirection once per frame in the entry
  (scr_replica_map(&NAME), result checked). It executes what an emitter
  that looks the running replica's inner maps up once per frame and passes
  them down would: one scr_current lookup and one array-of-maps lookup per
  map per frame, none per access. (The emitter does that for the replay
  clones, struct scr_frame; hoisted() also models it for the original's
  path.)
* frame(): hoisted() taken to its end: the entry takes the replica from
  ctx->rx_queue_index, looks up its scr_replica entry and its inner maps
  once, and nothing goes through the per-CPU scr_current: the sequencer's
  timestamp is stored in the replica's entry (`rep->now`), scr_now() and
  scr_prandom() read replica 0's entry (the emitter would pass `rep` down,
  which costs less than that lookup). Replica 0 only.
* per_access(): the replay clones reach every replicated map, global and
  the PRNG through scr_current again, on every access (the emitter before
  struct scr_frame, which resolves them once per frame): what the frame
  saves.
* percpu_plain_maps(): the previous per-CPU design's bookkeeping with
  today's (single-threaded) map types: separates what the bookkeeping costs
  from what the map type costs.
* previous_emitter(): today's program as scrcc emitted it before the fast
  path of issue 16 (updates through the helper, the prefix stripped before
  the original runs, the SCR header and history fields read byte by byte):
  the "before" of that change, timed in the same run.
* portknock_in_place(): on portknock, the update of a key the slice has
  just looked up (`if (new_state != state) update(&knock_state, &saddr,
  &new_state, BPF_ANY)`) writes through the looked-up pointer when the key
  is present, and calls the helper only to insert.
"""
import re

from . import variants as V
from .variants import TransformError


def _entry_check(text, probe):
    """Inserts probe right after the entry's `rep = scr_enter(ctx)` check."""
    text, n = re.subn(r"(\trep = scr_enter\(ctx\);\n\tif \(!rep\)\n"
                      r"\t\treturn XDP_DROP;[^\n]*\n)",
                      lambda m: m.group(1) + probe, text)
    if n != 1:
        raise TransformError("no `rep = scr_enter(ctx); if (!rep) return "
                             "XDP_DROP;` in the entry")
    return text


def direct(source):
    text = V.idle_replicas_dropped(source)
    for name in V.replicated_maps(text):
        text, n = re.subn(r"\bscr_map_(\w+)\(\s*&%s\b" % re.escape(name),
                          r"bpf_map_\1(&%s__r0" % name, text)
        # The replay clones' copy in the frame (struct scr_frame).
        text, f = re.subn(r"\bscr_fr->%s\b" % re.escape(name),
                          "&%s__r0" % name, text)
        if n + f == 0:
            raise TransformError("no call on map %s" % name)
    return text


def hoisted(source):
    names = V.replicated_maps(source)
    probe = "".join("\tif (!scr_replica_map(&%s))\n\t\treturn XDP_DROP;\n"
                    % n for n in names)
    return _entry_check(direct(source), probe)


def frame(source):
    text = direct(source)
    m = V._one(r"^struct scr_replica\s*\{", text, "struct scr_replica",
               re.M)
    end = V._block_end(text, m.end() - 1)
    text = text[:end - 1] + "\t__u64 now;\n" + text[end - 1:]
    enter = ("__u32 scr_q = ctx->rx_queue_index;\n\n"
             "\tif (scr_q >= SCR_REPLICAS) {\n"
             "\t\t__u32 scr_zero = 0;\n"
             "\t\t__u64 *unowned = bpf_map_lookup_elem(&scr_unowned, "
             "&scr_zero);\n\n"
             "\t\tif (unowned)\n\t\t\t(*unowned)++;\n"
             "\t\treturn XDP_DROP;\n\t}\n"
             "\trep = bpf_map_lookup_elem(&scr_replica, &scr_q);")
    probe = "".join("\tif (!bpf_map_lookup_elem(&%s, &scr_q))\n"
                    "\t\treturn XDP_DROP;\n" % n
                    for n in V.replicated_maps(source))
    text = _entry_check(text, probe)
    text, a = re.subn(r"\brep = scr_enter\(ctx\);", lambda _: enter, text)
    text, b = re.subn(r"\bscr_set_now\(([^;\n]*)\);", r"rep->now = \1;",
                      text)
    if (a, b) != (1, 1):
        raise TransformError("the entry does not call scr_enter(ctx) and "
                             "scr_set_now() once each")
    replica0 = ("{\n\t__u32 zero = 0;\n\n"
                "\treturn bpf_map_lookup_elem(&scr_replica, &zero);\n}\n\n")
    text = V._replace_function(
        text, "scr_this_replica",
        "static __always_inline struct scr_replica *scr_this_replica(void)\n"
        + replica0)
    text = V._replace_function(
        text, "scr_now",
        "static __always_inline __u64 scr_now(void)\n"
        "{\n\tstruct scr_replica *rep = scr_this_replica();\n\n"
        "\treturn rep ? rep->now : 0;\n}\n\n")
    return text


def per_access(source):
    text = V.idle_replicas_dropped(source)
    text, a = re.subn(r"\bbpf_map_(\w+)\(scr_fr->(\w+),", r"scr_map_\1(&\2,",
                      text)
    text, b = re.subn(r"\b(scr_global_\w+)_of\(scr_fr->\w+\)", r"\1()", text)
    text, c = re.subn(r"\bscr_replica_prandom\(scr_fr->rep\)", "scr_prandom()",
                      text)
    if a + b + c == 0:
        raise TransformError("per_access: the replay reaches nothing through "
                             "scr_fr")
    return text


def percpu_plain_maps(source):
    text = V.percpu_variant(source)
    text, n = re.subn(r"__uint\(type, BPF_MAP_TYPE_\w+ /\* SCR: per-core "
                      r"replica; was (BPF_MAP_TYPE_\w+) \*/\)",
                      r"__uint(type, \1)", text)
    if n != len(V.replicated_maps(source)):
        raise TransformError("expected %d per-CPU map types, found %d"
                             % (len(V.replicated_maps(source)), n))
    return text


def portknock_in_place(text):
    text = helper_updates(text)  # the hand-made write-through instead
    text, n = re.subn(
        r"if \(new_state != state\)\n\t\t(\w+)\(([^,]+), &saddr, "
        r"&new_state, BPF_ANY\);",
        r"if (new_state != state) {\n\t\tif (known)\n\t\t\t*known = "
        r"new_state;\n\t\telse\n\t\t\t\1(\2, &saddr, &new_state, "
        r"BPF_ANY);\n\t}", text)
    if n != 2:
        raise TransformError("portknock_in_place: expected the update in the "
                             "original and in the slice, found %d" % n)
    return text


def no_frame_check(text):
    """Today's program without the frame check (docs/packet-format.md,
    "What a replica accepts"): what the check costs per frame."""
    text, n = re.subn(r"\bif \(scr_check_frame\(ctx, rep\)\)",
                      "if (0 && scr_check_frame(ctx, rep))",
                      V.idle_replicas_dropped(text))
    if n != 1:
        raise TransformError("no_frame_check: expected one call of "
                             "scr_check_frame in the entry, found %d" % n)
    return text


def helper_updates(text):
    """Every write through a looked-up pointer scrcc made of an update
    (compiler/lib/Analysis/InPlaceUpdate.h) back to the helper call."""
    return re.sub(r"/\* SCR: `\w+` is this key's entry in `\w+` \(looked up "
                  r"at.*?without the helper\. \*/\s*(?:\(void\))?\((\w+) \? "
                  r"\(\*\1 = \w+, 0\) : (\w+\([^;]*\))\)", r"\2", text,
                  flags=re.S)


def strip_first(text):
    """The prefix stripped before the original runs, for every verdict: what
    scrcc emitted before it rebased the original's packet pointers."""
    text, n = re.subn(r"\(\(__u64\)(\w+)->data \+ \d+ /\* SCR_PREFIX_BYTES "
                      r"\*/\)", r"\1->data", text)
    text, m = re.subn(
        r"\t/\* The original reads the packet past the prefix.*?\*/\n"
        r"(\tverdict = \w+\(ctx\);\n\tif \(relevant\)\n\t\trep->\w+ = "
        r"hist_seq \+ 1;\n)\t/\* Strip the prefix from a packet.*?\*/\n"
        r"\tif \(verdict != XDP_DROP && verdict != XDP_ABORTED &&\n"
        r"\t    bpf_xdp_adjust_head\(ctx, SCR_PREFIX_BYTES\)\)\n"
        r"\t\treturn XDP_ABORTED;\n",
        r"\tif (bpf_xdp_adjust_head(ctx, SCR_PREFIX_BYTES))\n"
        r"\t\treturn XDP_ABORTED;\n\1", text, flags=re.S)
    if n == 0 or m != 1:
        raise TransformError("strip_first: the program does not strip late "
                             "(%d rebased reads, %d late strips)" % (n, m))
    return text


def byte_loads(text):
    """The SCR header and the history fields read byte by byte, as scrcc
    read them before it aligned struct scr_hdr and loaded whole fields."""
    text = text.replace("} __attribute__((packed, aligned(4)));",
                        "} __attribute__((packed));")
    return re.sub(r"\tf->(\w+) = \*\(const (\w+) \*\)\(raw \+ (\d+)\);",
                  r"\t__builtin_memcpy(&f->\1, raw + \3, sizeof(\2));", text)


def previous_emitter(text):
    """Today's program as scrcc emitted it before issue 16's fast path:
    helper updates, the prefix stripped first, byte loads."""
    text = V.idle_replicas_dropped(text)
    if "SCR_PREFIX_BYTES */)" in text:
        text = strip_first(text)
    return byte_loads(helper_updates(text))


# name -> (what, transformation); `private` and `percpu` are run.py's.
GENERIC = {
    "private": ("today's program (as run.py times it)",
                V.idle_replicas_dropped),
    "again": ("today's program again: the A/A noise floor",
              V.idle_replicas_dropped),
    "percpu": ("the previous per-CPU design (run.py's percpu variant)",
               V.percpu_variant),
    "direct": ("no indirection: helpers on NAME__r0 (bound)", direct),
    "hoisted": ("indirection once per frame, not per access", hoisted),
    "per_access": ("the replay through scr_current per access (before "
                   "struct scr_frame)", per_access),
    "frame": ("replica, its entry and maps looked up once per frame; no "
              "scr_current", frame),
    "percpu_plain": ("previous bookkeeping, today's map types",
                     percpu_plain_maps),
    "nocheck": ("today's program without the frame check", no_frame_check),
    "before16": ("as scrcc emitted it before issue 16: helper updates, "
                 "prefix stripped first, byte loads", previous_emitter),
    "bytes": ("today's program with the header and fields read byte by "
              "byte", lambda t: byte_loads(V.idle_replicas_dropped(t))),
}

PORTKNOCK = {
    "inplace": ("today's + write through the looked-up pointer",
                lambda t: portknock_in_place(V.idle_replicas_dropped(t))),
    "percpu_inplace": ("previous design + the same write-through",
                       lambda t: portknock_in_place(V.percpu_variant(t))),
    "hoisted_inplace": ("hoisted + write-through",
                        lambda t: portknock_in_place(hoisted(t))),
    "frame_inplace": ("frame + write-through",
                      lambda t: portknock_in_place(frame(t))),
}


def for_example(name):
    out = dict(GENERIC)
    if name == "portknock":
        out.update(PORTKNOCK)
    return out
