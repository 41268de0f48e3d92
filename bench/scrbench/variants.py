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
  history. The bench proves it from the `replayed` counter.
"""
import re


class TransformError(Exception):
    pass


def _entry_re(entry):
    return re.compile(r'SEC\(\s*"xdp"\s*\)\s*int\s+' + re.escape(entry) +
                      r'\s*\(\s*struct\s+xdp_md\s*\*\s*ctx\s*\)')


def harness(source, entry, restore):
    body = entry + "__bench_body"
    text, n = _entry_re(entry).subn(
        "static __always_inline int %s(struct xdp_md *ctx)" % body, source)
    if n != 1:
        raise TransformError(
            "expected one 'SEC(\"xdp\") int %s(struct xdp_md *ctx)', found %d"
            % (entry, n))
    return text + """
/* ---- bench harness (bench/scrbench/variants.py) ---- */
SEC("xdp")
int %s(struct xdp_md *ctx)
{
	int verdict = %s(ctx);

	/* Undo the prefix strip: BPF_PROG_TEST_RUN reuses the buffer. */
	bpf_xdp_adjust_head(ctx, -(%s));
	return verdict;
}
""" % (entry, body, restore)


APPLIED_STORE = re.compile(r"\brep->applied(\s*=(?!=))")


def original_bench_variant(source, entry):
    return harness(source, entry, "0")


def scr_bench_variant(source, entry):
    text, n = APPLIED_STORE.subn(r"rep->reserved\1", source)
    if n == 0:
        raise TransformError(
            "no store to rep->applied in the generated program: the bench "
            "cannot keep the history replayed in every repeat")
    return harness(text, entry, "SCR_PREFIX_BYTES")
