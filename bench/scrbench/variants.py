"""The bench-only program variants (written to the bench's work directory,
never into the repository).

BPF_PROG_TEST_RUN with repeat R runs the program R times on the same buffer
and does not reset data/data_end between repeats, so an SCR program that
strips its prefix with bpf_xdp_adjust_head would see the bare packet from the
second repeat on. And after the first repeat its replica has applied every
history entry of the frame, so later repeats would skip them all. Hence:

* harness(): the entry function becomes an inlined body, and a new entry of
  the same name calls it and then moves the head back by what the body
  stripped (SCR_PREFIX_BYTES for the SCR program, 0 for the original, which
  so pays for the same helper call: the two cancel in every difference).
* scr_bench_variant(): stores to `rep->applied` go to `rep->reserved` (same
  size, same cache line: the store is still paid), so `applied` keeps the
  value the bench writes before each run and every repeat replays the whole
  history. The bench proves it from the `replayed` counter. And the frame
  check (scr_check_frame) would drop every repeat after the first as a
  duplicate of it: it remembers the frame instead as the one just before it
  (seq - 1, the same hist_seq, not relevant), so that every later repeat
  passes every rule of the check, paying for all of them.

A test run without an xdp_md context arrives on RX queue 0, so the bench
always runs replica 0. Two more source transformations:

* idle_replicas_dropped(): the private copies NAME__r1 .. NAME__r<K-1> of
  every replicated map are not declared (their slots in the array of maps
  stay empty; the array keeps its K slots). The bench never runs those
  replicas, and declared they would be created: DDoS's 1M-entry hash map,
  preallocated K times for every K = 1..16, is about 10 GB of kernel memory
  and 45 s of load time. Replica 0's path -- the per-CPU scr_current lookup,
  the array-of-maps lookup, the helper on NAME__r0 -- is untouched.
* percpu_variant(): the design scrcc emitted before private replicas
  (commit bad3a1c, "per-CPU replicas"), rebuilt from today's output; see its
  docstring. The bench times it next to today's design in the same rounds.
"""
import re


class TransformError(Exception):
    pass


class NoPercpuVariant(TransformError):
    """The program replicates a map the previous design could not (a type
    without a per-CPU variant, e.g. an LPM trie): there is nothing to
    compare with."""


def _entry_re(entry):
    """The entry's definition: any XDP section name (SEC("xdp"),
    SEC("xdp_prog"), ...), any name of its context parameter."""
    return re.compile(r'SEC\(\s*"xdp[^"]*"\s*\)\s*int\s+' + re.escape(entry) +
                      r'\s*\(\s*struct\s+xdp_md\s*\*\s*(\w+)\s*\)')


def harness(source, entry, restore):
    body = entry + "__bench_body"
    text, n = _entry_re(entry).subn(
        lambda m: "static __always_inline int %s(struct xdp_md *%s)"
        % (body, m.group(1)), source)
    if n != 1:
        raise TransformError(
            "expected one 'SEC(\"xdp\") int %s(struct xdp_md *ctx)', found %d"
            % (entry, n))
    return text + """
/* ---- bench harness (bench/scrbench/variants.py) ---- */
SEC("xdp")
int %s(struct xdp_md *ctx)
{
	__u64 before = (void *)(long)ctx->data_end - (void *)(long)ctx->data;
	int verdict;
	__u64 after;

	/* Lengths, not pointers: keep the compiler from mixing the two. */
	asm volatile("" : "+r"(before));
	verdict = %s(ctx);
	after = (void *)(long)ctx->data_end - (void *)(long)ctx->data;
	asm volatile("" : "+r"(after));

	/* Undo the prefix strip (%s bytes, none for a packet the program
	 * drops): BPF_PROG_TEST_RUN reuses the buffer. */
	bpf_xdp_adjust_head(ctx, -(int)(before - after));
	return verdict;
}
""" % (entry, body, restore)


APPLIED_STORE = re.compile(r"\brep->applied(\s*=(?!=))")


def original_bench_variant(source, entry):
    return harness(source, entry, "0")


CHECK_BASELINE = [("rep->seq = seq;", "rep->seq = seq - 1;"),
                  ("rep->relevant = relevant;", "rep->relevant = 0;")]


def scr_bench_variant(source, entry):
    text, n = APPLIED_STORE.subn(r"rep->reserved\1", source)
    if n == 0:
        raise TransformError(
            "no store to rep->applied in the generated program: the bench "
            "cannot keep the history replayed in every repeat")
    for old, new in CHECK_BASELINE:
        if text.count(old) != 1:
            raise TransformError(
                "expected one '%s' in the frame check, found %d (has "
                "scrcc's output changed shape?)" % (old, text.count(old)))
        text = text.replace(old, new)
    return harness(text, entry, "SCR_PREFIX_BYTES")


# The replay loop's steps, each kept but the later ones (the per-entry cost
# breakdown of docs/performance.md): the marked call applies one decoded
# entry; the decode before it reads the entry's bits from the frame.
APPLY_ENTRY = re.compile(
    r"scr_replay_entry\(&f(?:, &fr)?\); /\* scr:replay-history \*/")
DECODE_ENTRY = "scr_decode(&f, raw);"
# Keeps what the removed step would have read alive (no code, no store).
KEEP = 'asm volatile("" : : "r"(%s) : "memory");'


def decode_only_variant(source):
    """The SCR program whose replay loop walks the ring and decodes every
    entry but applies none (the slice is not run): c2 of it is the cost of
    reaching and decoding an entry."""
    found = len(APPLY_ENTRY.findall(source))
    if found != 1:
        raise TransformError("expected one '%s' in the replay loop, found %d "
                             "(has scrcc's output changed shape?)"
                             % ("scr_replay_entry(&f, ...); /* scr:replay-history */", found))
    return APPLY_ENTRY.sub(lambda m: KEEP % "&f", source)


def walk_only_variant(source):
    """decode_only_variant without the decode either: the ring walk alone
    (slot arithmetic, bounds checks, the applied-entries test)."""
    text = decode_only_variant(source)
    if text.count(DECODE_ENTRY) != 1:
        raise TransformError("expected one '%s' in the replay loop, found %d "
                             "(has scrcc's output changed shape?)"
                             % (DECODE_ENTRY, text.count(DECODE_ENTRY)))
    return text.replace(DECODE_ENTRY, KEEP % "raw")


# ---- source surgery on the generated program -------------------------------

def _block_end(text, open_at):
    """Offset just past the '}' matching the '{' at open_at."""
    depth = 0
    for i in range(open_at, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return i + 1
    raise TransformError("unbalanced braces after offset %d" % open_at)


def _one(pattern, text, what, flags=0):
    ms = list(re.finditer(pattern, text, flags))
    if len(ms) != 1:
        raise TransformError("expected one %s in the generated program, "
                             "found %d (has scrcc's output changed shape?)"
                             % (what, len(ms)))
    return ms[0]


def _function(text, name):
    """(start, end) of the definition `static __always_inline ... name(...)
    { ... }` and the blank line after it."""
    m = _one(r"^static __always_inline [^\n;{]*\b%s\([^;{]*\)\s*\{"
             % re.escape(name), text, "definition of %s()" % name, re.M)
    end = _block_end(text, m.end() - 1)
    while end < len(text) and text[end] == "\n":
        end += 1
    return m.start(), end


def _leading_comment(text, start):
    """start, moved back over a block comment that ends on the line before."""
    if not text[:start].endswith("*/\n"):
        return start
    c = text.rfind("/*", 0, start)
    if c < 0 or (c > 0 and text[c - 1] != "\n"):
        return start
    return c


def _replace_function(text, name, new):
    a, b = _function(text, name)
    return text[:a] + new + text[b:]


def _remove_function(text, name):
    a, b = _function(text, name)
    return text[:_leading_comment(text, a)] + text[b:]


def _code(text):
    """text without its comments."""
    return re.sub(r"/\*.*?\*/|//[^\n]*", " ", text, flags=re.S)


def _map_block(text, name):
    """(start, end) of `struct { ... } name SEC(".maps");` (optionally with a
    `= { ... }` initialiser) and the blank line after it."""
    for m in re.finditer(r"^struct\s*\{", text, re.M):
        close = _block_end(text, m.end() - 1)
        t = re.match(r'\s*%s\s+SEC\("\.maps"\)\s*' % re.escape(name),
                     text[close:])
        if not t:
            continue
        end = close + t.end()
        if text[end:end + 1] == "=":
            brace = text.index("{", end)
            end = _block_end(text, brace)
            end += re.match(r"\s*", text[end:]).end()
        if text[end:end + 1] != ";":
            raise TransformError("cannot find the end of map %s" % name)
        end += 1
        while end < len(text) and text[end] == "\n":
            end += 1
        return m.start(), end
    raise TransformError("no map %s in the generated program" % name)


REPLICA_DEF = re.compile(r"^struct (\w+)__scr_def\s*\{", re.M)
MAP_TYPE = re.compile(r"__uint\(\s*type\s*,\s*(BPF_MAP_TYPE_\w+)"
                      r"(\s*/\*.*?\*/)?\s*\)", re.S)

# The previous design's per-CPU variant of each inner (replica) map type;
# per-CPU types were kept as they were.
PERCPU_OF = {
    "BPF_MAP_TYPE_HASH": "BPF_MAP_TYPE_PERCPU_HASH",
    "BPF_MAP_TYPE_ARRAY": "BPF_MAP_TYPE_PERCPU_ARRAY",
    "BPF_MAP_TYPE_LRU_HASH": "BPF_MAP_TYPE_LRU_PERCPU_HASH",
    "BPF_MAP_TYPE_PERCPU_HASH": "BPF_MAP_TYPE_PERCPU_HASH",
    "BPF_MAP_TYPE_PERCPU_ARRAY": "BPF_MAP_TYPE_PERCPU_ARRAY",
    "BPF_MAP_TYPE_LRU_PERCPU_HASH": "BPF_MAP_TYPE_LRU_PERCPU_HASH",
}


def replicated_maps(source):
    """Names of the maps scrcc replicated (an array of maps NAME over
    NAME__r0 ..), in source order."""
    return [m.group(1) for m in REPLICA_DEF.finditer(source)]


def _replica_decl(name, r):
    return (r'^struct %s__scr_def %s__r%s SEC\("\.maps"\);\n'
            % (re.escape(name), re.escape(name), r))


def idle_replicas_dropped(source):
    """Today's program with only replica 0's private maps declared (see the
    module docstring)."""
    text = source
    for name in replicated_maps(source):
        text, n = re.subn(_replica_decl(name, r"[1-9][0-9]*"), "", text,
                          flags=re.M)
        text, m = re.subn(r"^\s*\[[1-9][0-9]*\] = &%s__r[0-9]+,\n"
                          % re.escape(name), "", text, flags=re.M)
        if n != m:
            raise TransformError("map %s: %d private copies declared, %d in "
                                 "its array of maps" % (name, n, m))
    return text


def percpu_variant(source):
    """The previous design (scrcc before private replicas, commit bad3a1c),
    rebuilt from today's generated program:

    * every replicated map NAME -- the inner definition `struct
      NAME__scr_def`, its copies NAME__r0 .., and the ARRAY_OF_MAPS NAME --
      becomes one map NAME with the inner definition's fields and the per-CPU
      variant of its type (HASH -> PERCPU_HASH, ARRAY -> PERCPU_ARRAY,
      LRU_HASH -> LRU_PERCPU_HASH); the array's pinning, if any, moves to it;
    * the wrappers go, and the calls `scr_map_X(&NAME, ...)` become
      `bpf_map_X(&NAME, ...)` again, as do the replay's
      `bpf_map_X(scr_fr->NAME, ...)` (struct scr_frame keeps the replica's
      entry only);
    * the bookkeeping is reached as before: scr_replica is a PERCPU_ARRAY of
      one entry holding the sequencer's timestamp `now` again (48 bytes),
      scr_this_replica() is one lookup of its key 0, the entry takes `rep`
      from it (not from the RX queue) and stores `rep->now`, scr_now() reads
      it; the per-CPU scr_current and scr_unowned are gone.

    What stays from today: everything else, token for token (the replay
    loop, the slices, the non-atomic updates, the PRNG). On every example at
    K = 1 and 3 the result is bad3a1c's scrcc output but for comments, the
    place of one #define and the verdict when the bookkeeping lookup fails
    (XDP_DROP here, XDP_ABORTED then; never taken)."""
    text = source
    maps = replicated_maps(text)
    for name in maps:
        m = _one(r"^struct %s__scr_def\s*\{" % re.escape(name), text,
                 "definition of struct %s__scr_def" % name, re.M)
        body_from = m.end() - 1
        body_to = _block_end(text, body_from)
        body = text[body_from:body_to]
        t = MAP_TYPE.search(body)
        if not t:
            raise TransformError("map %s: no type in its definition" % name)
        if t.group(1) not in PERCPU_OF:
            raise NoPercpuVariant(
                "map %s: inner type %s has no per-CPU variant (the previous "
                "design refused such maps)" % (name, t.group(1)))
        was = re.search(r"was (BPF_MAP_TYPE_\w+)", t.group(2) or "")
        original = was.group(1) if was else t.group(1)
        new_type = PERCPU_OF[t.group(1)]
        note = ("" if new_type == original else
                " /* SCR: per-core replica; was %s */" % original)
        body = (body[:t.start()] + "__uint(type, %s%s)" % (new_type, note)
                + body[t.end():])
        a, b = _map_block(text, name)
        outer = text[a:b]
        if "BPF_MAP_TYPE_ARRAY_OF_MAPS" not in outer:
            raise TransformError("map %s is not an array of maps" % name)
        pin = re.search(r"\n\s*__uint\(\s*pinning\s*,[^;]*;", outer)
        if pin:
            body = body[:-1].rstrip() + pin.group(0) + "\n}"
        text = text[:a] + text[b:]
        text, n = re.subn(_replica_decl(name, r"[0-9]+") + r"\n?", "", text,
                          flags=re.M)
        if n == 0:
            raise TransformError("map %s: no private copies" % name)
        m = _one(r"^struct %s__scr_def\s*\{" % re.escape(name), text,
                 "definition of struct %s__scr_def" % name, re.M)
        end = _block_end(text, m.end() - 1)
        semi = re.match(r"\s*;", text[end:])
        if not semi:
            raise TransformError("struct %s__scr_def: no ';'" % name)
        text = (text[:_leading_comment(text, m.start())] + "struct " + body +
                ' %s SEC(".maps")' % name + text[end:])

    # The replay's frame (struct scr_frame) holds the replica's entry only:
    # the per-CPU maps are reached by name, as then.
    for name in maps:
        text = re.sub(r"\bscr_fr->%s\b" % re.escape(name), "&" + name, text)
        text = re.sub(r"\tfr->%s = bpf_map_lookup_elem\(&%s, [^;]*\);\n"
                      r"\tif \(!fr->%s\)\n\t\treturn -1;\n"
                      % ((re.escape(name),) * 3), "", text)
    if re.search(r"^static __always_inline int scr_frame_current\(", text,
                 re.M):
        text = _replace_function(
            text, "scr_frame_current",
            "static __always_inline int scr_frame_current(struct scr_frame "
            "*fr)\n{\n\tfr->rep = scr_this_replica();\n\n"
            "\treturn fr->rep ? 0 : -1;\n}\n\n")
    for w in sorted(set(re.findall(r"^static __always_inline [^\n(]*\b"
                                   r"(scr_map_\w+)\(", text, re.M))):
        text = _remove_function(text, w)
    if maps:
        text = _remove_function(text, "scr_replica_map")
    text = re.sub(r"\bscr_map_(\w+)\(", r"bpf_map_\1(", text)

    # Bookkeeping.
    m = _one(r"^struct scr_replica\s*\{", text, "struct scr_replica", re.M)
    end = _block_end(text, m.end() - 1)
    text = (text[:end - 1] + "\t__u64 now;          /* sequencer timestamp "
            "of the current packet */\n" + text[end - 1:])
    a, b = _map_block(text, "scr_replica")
    block = text[a:b]
    block, n1 = re.subn(r"BPF_MAP_TYPE_ARRAY\b", "BPF_MAP_TYPE_PERCPU_ARRAY",
                        block)
    block, n2 = re.subn(r"__uint\(max_entries, SCR_REPLICAS\)",
                        "__uint(max_entries, 1)", block)
    if (n1, n2) != (1, 1):
        raise TransformError("map scr_replica has an unexpected definition")
    text = text[:a] + block + text[b:]
    text = _replace_function(
        text, "scr_this_replica",
        "static __always_inline struct scr_replica *scr_this_replica(void)\n"
        "{\n\t__u32 zero = 0;\n\n"
        "\treturn bpf_map_lookup_elem(&scr_replica, &zero);\n}\n\n")
    text = _replace_function(
        text, "scr_now",
        "static __always_inline __u64 scr_now(void)\n"
        "{\n\tstruct scr_replica *rep = scr_this_replica();\n\n"
        "\treturn rep ? rep->now : 0;\n}\n\n")
    for f in ("scr_enter", "scr_set_now", "scr_current_get"):
        text = _remove_function(text, f)
    for name in ("scr_current", "scr_unowned"):
        a, b = _map_block(text, name)
        text = text[:_leading_comment(text, a)] + text[b:]
    m = _one(r"^struct scr_current\s*\{", text, "struct scr_current", re.M)
    end = _block_end(text, m.end() - 1)
    end += re.match(r"\s*;\n*", text[end:]).end()
    text = text[:_leading_comment(text, m.start())] + text[end:]
    text, n1 = re.subn(r"\brep = scr_enter\(ctx\);", "rep = scr_this_replica();",
                       text)
    text, n2 = re.subn(r"\bscr_set_now\(([^;\n]*)\);", r"rep->now = \1;", text)
    if (n1, n2) != (1, 1):
        raise TransformError("the entry does not call scr_enter(ctx) and "
                             "scr_set_now() once each")
    left = re.findall(r"\b(scr_current\w*|scr_unowned|scr_replica_map|"
                      r"scr_map_\w+|\w+__scr_def|\w+__r[0-9]+)\b",
                      _code(text))
    if left:
        raise TransformError("the per-CPU variant still uses %s"
                             % ", ".join(sorted(set(left))))
    return text
