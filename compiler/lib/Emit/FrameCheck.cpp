//===- FrameCheck.cpp - What a replica accepts ----------------------------===//
//
// The generated check follows docs/packet-format.md ("What a replica
// accepts"); the comments here say why the C is shaped the way it is.
//
//===----------------------------------------------------------------------===//

#include "FrameCheck.h"
#include "PacketExpr.h"

#include <cstdio>
#include <vector>

namespace scrcc {

namespace {

// @TSMASK@, @OUTER@, @TSRANGE@, @SHORT@, @LEN@, @FAST@ and @RELEVANCE@ are
// filled in by frameCheckC().
constexpr const char *Template =
    R"C(/* ==================================================================
 * What a replica accepts (docs/packet-format.md). A frame that fails
 * is dropped and counted in scr_replica by reason, never applied. The
 * limits may be set with -D when this file is compiled.
 * ================================================================== */
#ifndef SCR_SEQ_WINDOW
#define SCR_SEQ_WINDOW 65536 /* frames from a replica's last accepted one */
#endif
#ifndef SCR_TS_TOLERANCE_NS
#define SCR_TS_TOLERANCE_NS 1000000ULL /* how far the clock may go back */
#endif
#ifndef SCR_RESYNC_FRAMES
#define SCR_RESYNC_FRAMES 8 /* agreeing rejected frames that make a stream */
#endif
#define SCR_TS_MASK @TSMASK@ /* layout.timestamp_bits */
/* Slots `oldest` may name (it is 0 without a history). */
#define SCR_RING_SLOTS (SCR_HISTORY_LEN > 0 ? SCR_HISTORY_LEN : 1)

@SHORT@/* layout.relevance on the original packet: what the sequencer's RELEVANT
 * flag must say about it. */
static __always_inline __u8 scr_relevant(struct xdp_md *ctx)
{
	const __u8 *scr_p = (void *)(long)ctx->data + SCR_PREFIX_BYTES;
	const void *scr_end = (void *)(long)ctx->data_end;
@LEN@	(void)scr_p;
	(void)scr_end;
@FAST@	return @RELEVANCE@;
}

/* True iff `ts` is more than the tolerance before `last` (serially: the
 * clock wraps at its width). */
static __always_inline int scr_ts_behind(__u64 ts, __u64 last)
{
	__u64 back = (last - ts) & SCR_TS_MASK;

	return back > SCR_TS_TOLERANCE_NS && back <= (SCR_TS_MASK >> 1);
}

/* Returns 1 if replica `rep` must drop the frame (counted in scr_replica
 * by reason), 0 if it may apply it: then it is the replica's last accepted
 * frame. Runs once per frame, before anything of it is used. Inlined: a
 * call of a global function costs more than the check. */
static __always_inline int scr_check_frame(struct xdp_md *ctx,
					   struct scr_replica *rep)
{
	const __u8 *outer = (void *)(long)ctx->data;
	const struct scr_hdr *hdr = (const void *)(outer + SCR_OUTER_BYTES);
	__u32 seq, hist_seq, oldest, base, ds, cds, d, slot;
	__u64 ts, *reason;
	__u8 relevant;

	if (!rep || (void *)(hdr + 1) > (void *)(long)ctx->data_end)
		return 1;
	seq = bpf_ntohl(hdr->seq);
	hist_seq = bpf_ntohl(hdr->hist_seq);
	oldest = bpf_ntohs(hdr->oldest);
	ts = bpf_be64_to_cpu(hdr->ts);
	relevant = hdr->flags & SCR_FLAG_RELEVANT;

	/* The frame alone. */
@OUTER@	if (hdr->flags != relevant || relevant != scr_relevant(ctx)) {
		rep->bad_flags++;
		return 1;
	}
	if (oldest >= SCR_RING_SLOTS) {
		rep->bad_oldest++;
		return 1;
	}
	if (@TSRANGE@) {
		rep->bad_ts++;
		return 1;
	}

	/* Against the replica's last accepted frame: entries below `base` are
	 * the replica's (applied, or received with loss recovery). */
	base = rep->started ? rep->hist_seq + rep->relevant : rep->applied;
	if (!rep->started) {
		if (hist_seq - base <= SCR_SEQ_WINDOW)
			goto accept;
		reason = &rep->bad_hist_seq;
	} else {
		ds = seq - rep->seq;
		if ((__s32)ds <= 0)
			reason = &rep->duplicates; /* or reordered */
		else if (ds > SCR_SEQ_WINDOW)
			reason = &rep->bad_seq;
		/* At most one entry per frame: the last one's and one for each
		 * frame in between (hist_seq below base wraps to a large value). */
		else if (hist_seq - base > ds - 1)
			reason = &rep->bad_hist_seq;
		else if (scr_ts_behind(ts, rep->ts))
			reason = &rep->bad_ts;
		else {
			/* The ring's write slot advances by one per entry: d of
			 * them since the last frame (a division only after a loss
			 * of more than N entries). */
			d = hist_seq - rep->hist_seq;
			slot = rep->oldest + d;
			if (slot >= SCR_RING_SLOTS)
				slot = d < SCR_RING_SLOTS ? slot - SCR_RING_SLOTS
							  : slot % SCR_RING_SLOTS;
			if (slot == oldest)
				goto accept;
			reason = &rep->bad_oldest;
		}
	}

	/* Rejected frames that agree with each other are a stream the replica
	 * has lost (its last accepted frame was bad, or the sequencer jumped):
	 * after SCR_RESYNC_FRAMES of them in a row it follows that stream, but
	 * never back below `base`: no entry is ever applied twice. */
	cds = seq - rep->cand_seq;
	if (rep->bad_run && cds - 1 < SCR_SEQ_WINDOW &&
	    hist_seq - rep->cand_next <= cds - 1 && !scr_ts_behind(ts, rep->cand_ts))
		rep->bad_run++;
	else
		rep->bad_run = 1;
	rep->cand_seq = seq;
	rep->cand_next = hist_seq + relevant;
	rep->cand_ts = ts;
	if (rep->bad_run < SCR_RESYNC_FRAMES || (__s32)(hist_seq - base) < 0) {
		(*reason)++;
		return 1;
	}
	rep->resyncs++;
accept:
	rep->seq = seq;
	rep->hist_seq = hist_seq;
	rep->ts = ts;
	rep->oldest = oldest;
	rep->relevant = relevant;
	rep->started = 1;
	rep->bad_run = 0;
	return 0;
}

)C";

/// \p R as a C condition, one conjunct of its top-level `&&` a line (the
/// first \p InBounds bytes are known to be in the packet).
std::string relevanceC(const scr::Expr &R, uint64_t InBounds) {
  std::vector<const scr::Expr *> Terms, Todo = {&R};
  while (!Todo.empty()) {
    const scr::Expr *E = Todo.back();
    Todo.pop_back();
    if (E->K == scr::Expr::Op::LAnd) {
      Todo.push_back(E->Args[1].get());
      Todo.push_back(E->Args[0].get());
    } else {
      Terms.push_back(E);
    }
  }
  if (Terms.size() == 1) // a value: __u8 would keep its low byte only
    return packetExprC(R, InBounds) + " != 0";
  std::string O;
  for (const scr::Expr *T : Terms)
    O += (O.empty() ? "" : " &&\n\t       ") + packetExprC(*T, InBounds);
  return O;
}

} // namespace

std::string frameCheckC(const scr::Layout &L, bool Frags) {
  std::string O = Template;
  substitute(O, "@TSMASK@", cMask(L.TimestampBits));
  substitute(O, "@TSRANGE@",
             L.TimestampBits >= 64 ? "ts == 0" : "ts == 0 || ts > SCR_TS_MASK");
  std::string Outer;
  if (L.Mode == scr::SequencerMode::Tor) {
    char B[160];
    std::snprintf(B, sizeof B,
                  "\t/* tor mode: an ordinary frame reaching the queue is not "
                  "the sequencer's. */\n"
                  "\tif (outer[12] != 0x%02x || outer[13] != 0x%02x) {\n"
                  "\t\trep->not_scr++;\n\t\treturn 1;\n\t}\n",
                  scr::HeaderFormat::OuterEtherType >> 8,
                  scr::HeaderFormat::OuterEtherType & 0xff);
    Outer = B;
  }
  substitute(O, "@OUTER@", Outer);
  const scr::ExprRef &R = L.Relevance;
  bool Len = R && usesLength(*R);
  std::string LenC;
  if (Len && Frags)
    LenC = "\t__u64 scr_len = bpf_xdp_get_buff_len(ctx) - SCR_PREFIX_BYTES;\n";
  else if (Len)
    LenC = "\t/* Not an xdp.frags program: never a multi-buffer frame. */\n"
           "\t__u64 scr_len = (__u64)(scr_end - (const void *)scr_p);\n";
  // The bytes at fixed offsets are read after one bounds check for all of
  // them, without one per byte: a check per byte costs, and would split
  // the verifier's states of the whole program. A shorter packet takes a
  // global function that reads byte by byte.
  uint64_t Fixed = R ? fixedLoadsEnd(*R) : 0;
  std::string Short, Fast;
  if (Fixed) {
    Short = "/* scr_relevant() of a packet shorter than the bytes it reads "
            "at fixed\n * offsets: byte by byte, past the end reading zero. "
            "*/\n"
            "__attribute__((noinline)) int scr_relevant_short(struct xdp_md "
            "*ctx)\n{\n"
            "\tconst __u8 *scr_p = (void *)(long)ctx->data + "
            "SCR_PREFIX_BYTES;\n"
            "\tconst void *scr_end = (void *)(long)ctx->data_end;\n" +
            LenC + "\n\treturn " + relevanceC(*R, 0) + ";\n}\n\n";
    Fast = "\tif ((const void *)(scr_p + " + std::to_string(Fixed) +
           ") > scr_end)\n\t\treturn scr_relevant_short(ctx);\n";
  }
  substitute(O, "@SHORT@", Short);
  substitute(O, "@FAST@", Fast);
  substitute(O, "@LEN@", LenC);
  substitute(O, "@RELEVANCE@", R ? relevanceC(*R, Fixed) : std::string("1"));
  return O;
}

} // namespace scrcc
