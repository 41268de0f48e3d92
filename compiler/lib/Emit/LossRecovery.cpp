//===- LossRecovery.cpp - The SCR entry with loss recovery ----------------===//
//
// The generated code follows docs/loss-recovery.md, which explains the
// algorithm, its bounds and its guarantees; the comments here say why the C
// is shaped the way it is.
//
//===----------------------------------------------------------------------===//

#include "LossRecovery.h"
#include "PacketExpr.h"

namespace scrcc {

namespace {

/// Body of scr_lr_own(): the current packet's own history entry, unpacked
/// exactly as scr_decode() would unpack the entry the sequencer writes for
/// it (Layout::packEntry), so that a core that replays it from a log and a
/// core that replays it from a later frame's history apply the same values.
std::string ownEntryC(const scr::Layout &L) {
  std::string O;
  for (const scr::Field &F : L.Fields) {
    std::string Value;
    switch (F.K) {
    case scr::Field::Kind::Packet:
      Value = "scr_pkt(scr_p, scr_end, " + packetExprC(*F.Offset) + ", " +
              std::to_string(F.Bits / 8) + ")";
      break;
    case scr::Field::Kind::Value:
      Value = "(" + packetExprC(*F.Value) + " & " + cMask(F.Bits) + ")";
      break;
    case scr::Field::Kind::Predicate:
      Value = "(__u64)(" + packetExprC(*F.Value) + " != 0)";
      break;
    case scr::Field::Kind::Length:
      Value = "(scr_len & " + cMask(F.Bits) + ")";
      break;
    case scr::Field::Kind::Timestamp:
      Value = "(scr_ts & " + cMask(F.Bits) + ")";
      break;
    }
    // scr_decode() copies whole-byte packet fields in place (network byte
    // order) and assigns the numeric value of every other field.
    if (F.K == scr::Field::Kind::Packet && F.BitOffset % 8 == 0)
      O += "\tscr_lr_store_be(&f->" + F.Name + ", " + Value + ", " +
           std::to_string(F.Bits / 8) + ");\n";
    else
      O += "\tf->" + F.Name + " = " + Value + ";\n";
  }
  return O;
}

// The fixed part of the loss-recovery code. @CORES@, @LOG@, @ENTRY@,
// @SECTION@ and @OWN@ are filled in by lossRecoveryEntry().
constexpr const char *Template = R"C(
/* ==================================================================
 * Loss recovery (scrcc --loss-recovery; docs/loss-recovery.md).
 * Entries are numbered by hist_seq: entry m is the m-th relevant packet.
 * Every core logs each entry it receives (history slots and its own
 * packet) in its part of one shared log, and publishes how far it has
 * received. A core that misses entries reads them from the other cores'
 * logs, or skips them when every core has published that it lost them.
 * Nothing waits: when an entry is not decidable yet the core parks its
 * packet (verdict scr_lr_parked_verdict) and resumes on its next frame.
 * ================================================================== */
#define SCR_LR_CORES @CORES@
#define SCR_LR_LOG @LOG@ /* entries per core, a power of two */
/* Entries a core may fetch from the logs for one frame: being more than a
 * log behind cannot be repaired anyway. */
#define SCR_LR_BUDGET SCR_LR_LOG

#if SCR_LR_LOG < 2 * (SCR_HISTORY_LEN + 1) || (SCR_LR_LOG & (SCR_LR_LOG - 1))
#error "scrcc: --log-entries must be a power of two of at least 2 * (history + 1)"
#endif

#define SCR_LR_EMPTY 0   /* slot never written */
#define SCR_LR_WRITING 1 /* being (over)written by its owner */
#define SCR_LR_VALID 2   /* holds entry `num` */

#define SCR_LR_BARRIER() asm volatile("" ::: "memory")
#define SCR_LR_READ(x) (*(volatile typeof(x) *)&(x))
#define SCR_LR_WRITE(x, v) (*(volatile typeof(x) *)&(x) = (v))

struct scr_lr_slot {
	__u32 num;   /* entry number held (when VALID) */
	__u32 state; /* SCR_LR_EMPTY / WRITING / VALID */
	struct scr_fields f;
};

/* All cores' logs in one map (shared: one program on every core); core c's
 * entry m is in slot c * SCR_LR_LOG + m % SCR_LR_LOG. Single writer (core
 * c), read by every core. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SCR_LR_CORES * SCR_LR_LOG);
	__type(key, __u32);
	__type(value, struct scr_lr_slot);
} scr_lr_log SEC(".maps");

/* Per core, published after its log writes (each word stored at once):
 * seen: bit 32 = the core has had a frame; bits 0..31 = S, "every entry
 * below S that this core will ever log is in its log": an entry m < S
 * absent from the log is lost there.
 * gap: the core's latest run of entries [lo, hi) that it never received
 * (hi << 32 | lo): it still says "lost here" once the log has wrapped over
 * them, e.g. after a burst longer than the log. */
struct scr_lr_pub {
	__u64 seen;
	__u64 gap;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SCR_LR_CORES);
	__type(key, __u32);
	__type(value, struct scr_lr_pub);
} scr_lr_seen SEC(".maps");

/* Each replica's private loss-recovery state and counters (entry r is
 * replica r's; "core" below means a replica). */
struct scr_lr_core {
	__u32 reserved;
	__u32 seen;        /* what this core publishes in scr_lr_seen */
	__u32 started;     /* seen is initialised (from scr_replica.applied) */
	__u32 last_parked; /* the last frame was parked (1) or run (0) */
	__u64 logged;      /* entries written to this core's log */
	__u64 recovered;   /* entries read from another core's log */
	__u64 parked;      /* frames parked: not run, verdict scr_lr_parked_verdict */
	__u64 rejected;    /* frames the frame check dropped (scr_replica: why) */
	__u64 unrecoverable; /* frames that found the next entry overwritten */
	__u64 reserved2;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SCR_REPLICAS);
	__type(key, __u32);
	__type(value, struct scr_lr_core);
} scr_lr_core SEC(".maps");

/* Verdict of a parked frame (its state update still happens, later, in
 * order, on every core). The loader may change it before loading. */
const volatile __u32 scr_lr_parked_verdict = XDP_DROP;

static __always_inline void scr_lr_store_be(void *to, __u64 v, __u32 bytes)
{
	__u8 *b = to;

	for (__u32 i = 0; i < bytes; i++)
		b[i] = v >> (8 * (bytes - 1 - i));
}

/* The history entry of the current packet, as the sequencer will write
 * it into later frames. Global functions (here and below) are verified
 * once, not once per caller state: it keeps the program's load time low. */
__noinline int scr_lr_own(struct xdp_md *ctx, struct scr_fields *f)
{
	const __u8 *scr_p = (void *)(long)ctx->data;
	const void *scr_end = (void *)(long)ctx->data_end;
	const struct scr_hdr *hdr = (const void *)(scr_p + SCR_OUTER_BYTES);
	__u64 scr_len, scr_ts;

	if (!f)
		return 0;
	if ((void *)(scr_p + SCR_PREFIX_BYTES) > scr_end)
		return 0;
	scr_ts = bpf_be64_to_cpu(hdr->ts);
	scr_p += SCR_PREFIX_BYTES;
	scr_len = bpf_xdp_get_buff_len(ctx) - SCR_PREFIX_BYTES;
	(void)scr_ts;
	(void)scr_len;
@OWN@	return 0;
}

/* Appends entry m to core `self`'s log: WRITING, contents, VALID, so that
 * a reader can tell a slot changing under it. */
__noinline int scr_lr_put(__u32 self, __u32 m, const struct scr_fields *f)
{
	__u32 key = self * SCR_LR_LOG + (m & (SCR_LR_LOG - 1));
	struct scr_lr_slot *s = bpf_map_lookup_elem(&scr_lr_log, &key);

	if (!s || !f)
		return 0;
	SCR_LR_WRITE(s->state, SCR_LR_WRITING);
	SCR_LR_BARRIER();
	SCR_LR_WRITE(s->num, m);
	__builtin_memcpy(&s->f, f, sizeof(*f));
	SCR_LR_BARRIER();
	SCR_LR_WRITE(s->state, SCR_LR_VALID);
	return 0;
}

#define SCR_LR_HAVE 0   /* the core logged m: *f holds it */
#define SCR_LR_ABSENT 1 /* the core never logged m (given it has seen past m) */
#define SCR_LR_GONE 2   /* overwritten, or being written: cannot tell */

/* Reads entry m from core `core`'s log. Only meaningful for a core whose
 * published bound is past m (read before, in this order). */
__noinline int scr_lr_get(__u32 core, __u32 m, struct scr_fields *f)
{
	__u32 key = core * SCR_LR_LOG + (m & (SCR_LR_LOG - 1));
	struct scr_lr_slot *s = bpf_map_lookup_elem(&scr_lr_log, &key);
	__u32 state, num;

	if (!s || !f)
		return SCR_LR_GONE;
	state = SCR_LR_READ(s->state);
	num = SCR_LR_READ(s->num);
	SCR_LR_BARRIER();
	if (state == SCR_LR_VALID && num == m) {
		__builtin_memcpy(f, &s->f, sizeof(*f));
		SCR_LR_BARRIER();
		if (SCR_LR_READ(s->state) == SCR_LR_VALID && SCR_LR_READ(s->num) == m)
			return SCR_LR_HAVE;
		return SCR_LR_GONE;
	}
	/* The owner writes entries in increasing order and had written all
	 * those below its bound: an empty slot or an older entry means it
	 * never got m; a newer one may have replaced m. */
	if (state == SCR_LR_EMPTY || (state == SCR_LR_VALID && (__s32)(num - m) < 0))
		return SCR_LR_ABSENT;
	return SCR_LR_GONE;
}

/* Entry hist_seq - d of the frame's history is in slot (oldest + N - d) % N;
 * returns its bytes, or NULL. */
static __always_inline const __u8 *scr_lr_slot_of(struct xdp_md *ctx, __u32 oldest,
						   __u32 d)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u64 off = (__u64)((oldest + SCR_HISTORY_LEN - d) % SCR_HISTORY_LEN) *
		    SCR_ENTRY_BYTES;
	const __u8 *raw;

	/* Keep the bound visible to the verifier (the compiler knows it). */
	asm volatile("" : "+r"(off));
	if (off > (SCR_HISTORY_LEN - 1) * SCR_ENTRY_BYTES)
		return 0;
	raw = data + SCR_OUTER_BYTES + SCR_HDR_BYTES + off;
	if ((void *)(raw + SCR_ENTRY_BYTES) > data_end)
		return 0;
	return raw;
}

/* Logs the frame's history entries numbered `seen` and up (the ones this
 * core has not logged yet); returns how many. */
__noinline int scr_lr_log_history(struct xdp_md *ctx, __u32 self, __u32 seen)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct scr_hdr *hdr = data + SCR_OUTER_BYTES;
	struct scr_fields f;
	__u32 hist_seq, oldest;
	int n = 0;

	if ((void *)(hdr + 1) > data_end)
		return 0;
	hist_seq = bpf_ntohl(hdr->hist_seq);
	oldest = bpf_ntohs(hdr->oldest);
#if SCR_HISTORY_LEN > 0
	for (__u32 d = SCR_HISTORY_LEN; d >= 1; d--) {
		__u32 m = hist_seq - d;
		const __u8 *raw;

		if ((__s32)(m - seen) < 0)
			continue;
		raw = scr_lr_slot_of(ctx, oldest, d);
		if (!raw)
			break;
		__builtin_memset(&f, 0, sizeof(f));
		scr_decode(&f, raw);
		scr_lr_put(self, m, &f);
		n++;
	}
#endif
	return n;
}

/* Applies the frame's history entries from scr_replica.applied on (which
 * is at least hist_seq - N): the fast path, with no loss. */
__noinline int scr_lr_apply_history(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct scr_hdr *hdr = data + SCR_OUTER_BYTES;
	struct scr_replica *rep = scr_this_replica();
	struct scr_fields f;
	__u32 hist_seq, oldest;

	if (!rep || (void *)(hdr + 1) > data_end)
		return 0;
	hist_seq = bpf_ntohl(hdr->hist_seq);
	oldest = bpf_ntohs(hdr->oldest);
#if SCR_HISTORY_LEN > 0
	for (__u32 d = SCR_HISTORY_LEN; d >= 1; d--) {
		__u32 m = hist_seq - d;
		const __u8 *raw;

		if ((__s32)(m - rep->applied) < 0)
			continue;
		raw = scr_lr_slot_of(ctx, oldest, d);
		if (!raw)
			break;
		__builtin_memset(&f, 0, sizeof(f));
		scr_decode(&f, raw);
		scr_replay_entry(&f); /* scr:replay-history */
		rep->replayed++;
		rep->applied = m + 1;
	}
#endif
	return 0;
}

#define SCR_LR_WAIT 3 /* the core has not received past m yet: it may still */

/* What core k knows about entry m: its published bound first, then its
 * log (in this order: the bound is published after the log writes). */
__noinline int scr_lr_probe(__u32 k, __u32 m, struct scr_fields *f)
{
	struct scr_lr_pub *pub = bpf_map_lookup_elem(&scr_lr_seen, &k);
	__u64 seen, gap;
	int found;

	if (!pub)
		return SCR_LR_GONE;
	seen = SCR_LR_READ(pub->seen);
	if (!(seen >> 32) || (__s32)((__u32)seen - m) <= 0)
		return SCR_LR_WAIT;
	SCR_LR_BARRIER();
	found = scr_lr_get(k, m, f);
	if (found != SCR_LR_GONE)
		return found;
	/* Gaps of a core are disjoint and increasing: m in any gap it ever
	 * published means it never received m. */
	gap = SCR_LR_READ(pub->gap);
	if ((__s32)(m - (__u32)gap) >= 0 && (__s32)((__u32)(gap >> 32) - m) > 0)
		return SCR_LR_ABSENT;
	return SCR_LR_GONE;
}

struct scr_lr_catch_up {
	__u32 self;
	__u32 until; /* bring scr_replica.applied up to this entry */
};

/* One step of the catch-up: decides entry `applied` and applies or skips
 * it. Returns 1 (stop) when it cannot be decided yet. */
static long scr_lr_step(__u32 i, void *data)
{
	struct scr_lr_catch_up *c = data;
	struct scr_replica *rep = scr_this_replica();
	struct scr_lr_core *lr = bpf_map_lookup_elem(&scr_lr_core, &c->self);
	struct scr_fields f = {};
	int found, all_lost = 1, waiting = 0;
	__u32 m;

	if (!rep || !lr)
		return 1;
	m = rep->applied;
	if ((__s32)(m - c->until) >= 0)
		return 1;
	/* This core's own log first (it has m if it was parked), then the
	 * others'. */
	found = scr_lr_probe(c->self, m, &f);
	if (found != SCR_LR_HAVE) {
		all_lost = found == SCR_LR_ABSENT;
		for (__u32 k = 0; k < SCR_LR_CORES; k++) {
			if (k == c->self)
				continue;
			found = scr_lr_probe(k, m, &f);
			if (found == SCR_LR_HAVE)
				break;
			if (found == SCR_LR_WAIT)
				waiting = 1;
			if (found != SCR_LR_ABSENT)
				all_lost = 0;
		}
		if (found != SCR_LR_HAVE) {
			if (all_lost) {
				/* Every core lost m: no replica applies it. */
				rep->applied = m + 1;
				rep->gaps++;
				return 0;
			}
			if (!waiting)
				lr->unrecoverable++;
			return 1;
		}
		lr->recovered++;
	}
	scr_replay_entry(&f); /* scr:replay-history */
	rep->replayed++;
	rep->applied = m + 1;
	return 0;
}

/* The original program in a frame of its own: its stack then never adds
 * up with the catch-up's (entry -> bpf_loop callback -> replay), which
 * must stay under the verifier's 512 bytes. */
static __noinline int scr_lr_original(struct xdp_md *ctx)
{
	return @ENTRY@__scr_original(ctx);
}

SEC("@SECTION@")
int @ENTRY@(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct scr_replica *rep;
	struct scr_lr_core *lr;
	struct scr_lr_catch_up c;
	struct scr_fields f;
	struct scr_hdr *hdr;
	__u32 hist_seq, self, until;
	struct scr_lr_pub *pub;
	__u64 ts;
	__u8 relevant;
	int verdict;

	rep = scr_enter(ctx);
	if (!rep)
		return XDP_DROP; /* no replica owns this RX queue */
	self = ctx->rx_queue_index; /* scr_enter() checked it */
	lr = bpf_map_lookup_elem(&scr_lr_core, &self);
	if (!lr)
		return XDP_ABORTED;
	/* A frame without room for the SCR prefix and an Ethernet header
	 * did not come from the sequencer: drop it, never read past it. */
	if (data + SCR_PREFIX_BYTES + 14 > data_end) {
		rep->short_frames++;
		return XDP_DROP;
	}
	/* A duplicate, a frame too far ahead (it would make every later frame
	 * look stale) or one that is not the sequencer's is dropped, never
	 * logged: docs/packet-format.md. */
	if (scr_check_frame(ctx, rep)) {
		lr->rejected++;
		lr->last_parked = 1;
		return XDP_DROP;
	}
	hdr = data + SCR_OUTER_BYTES;
	hist_seq = bpf_ntohl(hdr->hist_seq);
	relevant = hdr->flags & SCR_FLAG_RELEVANT;
	ts = bpf_be64_to_cpu(hdr->ts);
	if (!lr->started) {
		lr->started = 1;
		lr->seen = rep->applied;
	}
	scr_set_now(ts);

	/* 1. Log what this frame brings that the core has not logged yet:
	 * its history entries and the packet's own entry. */
	lr->logged += scr_lr_log_history(ctx, self, lr->seen);
	if (relevant) {
		__builtin_memset(&f, 0, sizeof(f));
		scr_lr_own(ctx, &f);
		scr_lr_put(self, hist_seq, &f);
		lr->logged++;
	}
	/* Publish only after the log writes: a reader that sees the new bound
	 * finds every entry below it that this core has. */
	pub = bpf_map_lookup_elem(&scr_lr_seen, &self);
	if (!pub)
		return XDP_ABORTED;
	SCR_LR_BARRIER();
	until = hist_seq - SCR_HISTORY_LEN;
	if ((__s32)(until - lr->seen) > 0)
		SCR_LR_WRITE(pub->gap, ((__u64)until << 32) | lr->seen);
	lr->seen = hist_seq + relevant;
	SCR_LR_BARRIER();
	SCR_LR_WRITE(pub->seen, (1ULL << 32) | lr->seen);

	/* 2. After a loss (or a parked frame) the replica is behind the
	 * frame's history: catch up from the logs, as far as decidable. */
	if ((__s32)(until - rep->applied) > 0) {
		__u32 todo = until - rep->applied;

		c.self = self;
		c.until = until;
		bpf_loop(todo < SCR_LR_BUDGET ? todo : SCR_LR_BUDGET, scr_lr_step, &c, 0);
	}

	/* 3. The history in the frame, oldest first, from where the replica is. */
	if ((__s32)(rep->applied - until) >= 0)
		scr_lr_apply_history(ctx);

	/* 4. Only a replica that has applied every entry before this packet
	 * may run it. Otherwise park it: its entry is in the log and will be
	 * applied in order on a later frame; its verdict is the policy's. */
	if (rep->applied != hist_seq) {
		lr->parked++;
		lr->last_parked = 1;
		return scr_lr_parked_verdict;
	}
	lr->last_parked = 0;
	/* Strip the prefix: the original program sees the original packet. */
	if (bpf_xdp_adjust_head(ctx, SCR_PREFIX_BYTES))
		return XDP_ABORTED;
	verdict = scr_lr_original(ctx);
	if (relevant)
		rep->applied = hist_seq + 1;
	return verdict;
}
)C";

} // namespace

std::string lossRecoveryEntry(const scr::Layout &L, const EntryParams &P) {
  std::string O = Template;
  substitute(O, "@CORES@", std::to_string(L.Cores));
  substitute(O, "@LOG@", std::to_string(L.LogEntries));
  substitute(O, "@OWN@", ownEntryC(L));
  substitute(O, "@ENTRY@", P.Entry);
  substitute(O, "@SECTION@", P.Section);
  return O;
}

} // namespace scrcc
