// SPDX-License-Identifier: GPL-2.0
/*
 * Hand-written SCR program for srccount (4 cores, N = 3 history slots),
 * in the shape scrcc emits (docs/transformation.md §1, docs/runtime-replay.md;
 * compare `scrcc examples/portknock.bpf.c --cores 2`): one loaded program
 * serves every replica; replica r is the RX queue r its frames arrive on;
 * the written map `counts` is an array of maps holding one private copy per
 * replica (counts__r0 .. counts__r3); `scr_replica` has one entry per
 * replica; frames from queues >= SCR_REPLICAS are dropped and counted in
 * `scr_unowned`. The history replay is on the line marked
 * scr:replay-history, history fields are read as scr_e->FIELD.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define SCR_REPLICAS 4
#define SCR_PRNG_SEED 0x5c3c0ffee5eedULL
#define SCR_N 3
#define SCR_HEADER_BYTES 20
#define SCR_ENTRY_BYTES 12
#define SCR_PREFIX_BYTES (SCR_HEADER_BYTES + SCR_N * SCR_ENTRY_BYTES)

struct src_stat {
	__u64 packets;
	__u64 bytes;
	__u64 last_ns;
	__u64 sampled;
};

/* `counts` is written: each replica owns a private copy. */
struct counts__scr_def {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct src_stat);
};

struct counts__scr_def counts__r0 SEC(".maps");
struct counts__scr_def counts__r1 SEC(".maps");
struct counts__scr_def counts__r2 SEC(".maps");
struct counts__scr_def counts__r3 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, SCR_REPLICAS);
	__type(key, __u32);
	__array(values, struct counts__scr_def);
} counts SEC(".maps") = {
	.values = {
		[0] = &counts__r0,
		[1] = &counts__r1,
		[2] = &counts__r2,
		[3] = &counts__r3,
	},
};

/* Configuration: only read, one map shared by every replica. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} limits SEC(".maps");

struct scr_replica {
	__u32 applied;
	__u32 reserved;
	__u64 prng;
	__u64 short_frames;
	__u64 gaps;
	__u64 replayed;
};

/* Entry r is replica r's. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SCR_REPLICAS);
	__type(key, __u32);
	__type(value, struct scr_replica);
} scr_replica SEC(".maps");

/* The replica of the frame running on this CPU (scratch, not state). */
struct scr_current {
	__u32 replica;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scr_current);
} scr_current SEC(".maps");

/* Frames from RX queues no replica owns (sum over CPUs). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} scr_unowned SEC(".maps");

/* Layout: ip_saddr bits 0..31, ts bits 32..79, pkt_len bits 80..95. */
struct scr_entry {
	__be32 ip_saddr;
	__u8 ts[6];
	__be16 pkt_len;
} __attribute__((packed));

static __always_inline struct scr_current *scr_current_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&scr_current, &zero);
}

static __always_inline struct scr_replica *scr_enter(struct xdp_md *ctx)
{
	struct scr_current *cur = scr_current_get();
	__u32 replica = ctx->rx_queue_index;
	__u32 zero = 0;

	if (!cur)
		return NULL;
	if (replica >= SCR_REPLICAS) {
		__u64 *unowned = bpf_map_lookup_elem(&scr_unowned, &zero);
		if (unowned)
			(*unowned)++;
		return NULL;
	}
	cur->replica = replica;
	return bpf_map_lookup_elem(&scr_replica, &replica);
}

/* The running replica's copy of a replicated map. */
static __always_inline void *scr_replica_map(void *replicas)
{
	struct scr_current *cur = scr_current_get();

	return cur ? bpf_map_lookup_elem(replicas, &cur->replica) : NULL;
}

static __u64 scr_be48(const __u8 *b)
{
	return ((__u64)b[0] << 40) | ((__u64)b[1] << 32) | ((__u64)b[2] << 24) |
	       ((__u64)b[3] << 16) | ((__u64)b[4] << 8) | (__u64)b[5];
}

static __u32 scr_prandom(struct scr_replica *r)
{
	__u64 s = r->prng ^ SCR_PRNG_SEED;
	s ^= s << 13;
	s ^= s >> 7;
	s ^= s << 17;
	r->prng = s ^ SCR_PRNG_SEED;
	return s >> 32;
}

static __u64 count_source(__u32 saddr, __u64 len, __u64 now,
			  struct scr_replica *r)
{
	void *map = scr_replica_map(&counts);
	if (!map)
		return 0;
	struct src_stat *s = bpf_map_lookup_elem(map, &saddr);
	if (!s) {
		struct src_stat zero = {};
		bpf_map_update_elem(map, &saddr, &zero, BPF_NOEXIST);
		s = bpf_map_lookup_elem(map, &saddr);
		if (!s)
			return 0;
	}
	s->packets += 1;
	s->bytes += len;
	s->last_ns = now;
	if ((scr_prandom(r) & 3) == 0)
		s->sampled += 1;
	return s->packets;
}

static int srccount_body(struct xdp_md *ctx, __u64 now, struct scr_replica *r)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	struct iphdr *iph = (void *)(eth + 1);
	if ((void *)(iph + 1) > data_end)
		return XDP_PASS;

	__u64 packets = count_source(iph->saddr, data_end - data, now, r);
	__u32 zero = 0;
	__u64 limit = 8;
	__u64 *configured = bpf_map_lookup_elem(&limits, &zero);
	if (configured && *configured)
		limit = *configured;
	if (packets > limit)
		return XDP_DROP;
	eth->h_source[5] = (__u8)packets;
	return XDP_PASS;
}

SEC("xdp")
int srccount(struct xdp_md *ctx)
{
	struct scr_replica *r = scr_enter(ctx);
	if (!r)
		return XDP_DROP; /* no replica owns this RX queue */
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	if (data + SCR_PREFIX_BYTES + ETH_HLEN > data_end) {
		r->short_frames += 1;
		return XDP_DROP;
	}
	__u8 *hdr = data;
	__u32 hist_seq = bpf_ntohl(*(__be32 *)(hdr + 4));
	__u64 ts = scr_be48(hdr + 10);
	__u8 flags = hdr[18];

	__u32 missed = hist_seq - SCR_N - r->applied;
	if ((__s32)missed > 0)
		r->gaps += missed;
	for (__u32 d = SCR_N; d >= 1; d--) {
		__u32 m = hist_seq - d;
		if ((__s32)(m - r->applied) < 0)
			continue;
		__u64 off = (m % SCR_N) * SCR_ENTRY_BYTES;
		/* Keep the bound check: clang knows it, the verifier does not. */
		asm volatile("" : "+r"(off));
		if (off > (SCR_N - 1) * SCR_ENTRY_BYTES)
			break;
		struct scr_entry *scr_e = data + SCR_HEADER_BYTES + off;
		if ((void *)(scr_e + 1) > data_end)
			break;
		count_source(scr_e->ip_saddr, bpf_ntohs(scr_e->pkt_len), scr_be48(scr_e->ts), r); /* scr:replay-history */
		r->replayed += 1;
	}
	r->applied = hist_seq;

	if (bpf_xdp_adjust_head(ctx, SCR_PREFIX_BYTES))
		return XDP_ABORTED;
	int verdict = srccount_body(ctx, ts, r);
	if (flags & 1)
		r->applied = hist_seq + 1;
	return verdict;
}

char LICENSE[] SEC("license") = "GPL";
