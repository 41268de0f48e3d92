// SPDX-License-Identifier: GPL-2.0
/*
 * Hand-written reference variant (what scrcc emits as <stem>.ref.bpf.c) of a
 * per-source counter: the original program with bpf_ktime_get_ns() and
 * bpf_get_prandom_u32() read from the `scr_ref_env` map. The replay tests
 * use it, with srccount.scr.bpf.c and scr_layout.json, independently of
 * the compiler.
 *
 * Per IPv4 source: packets, bytes, last-seen time, and a 1-in-4 random
 * sample count. A source over its limit (limits[0], default 8) is dropped;
 * a passed packet gets the low byte of its source's count written into the
 * last byte of its Ethernet source address (so output bytes depend on state).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define SCR_PRNG_SEED 0x5c3c0ffee5eedULL

struct src_stat {
	__u64 packets;
	__u64 bytes;
	__u64 last_ns;
	__u64 sampled;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct src_stat);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} limits SEC(".maps");

struct scr_ref_env {
	__u64 now_ns;
	__u64 prng; /* state XOR seed */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scr_ref_env);
} scr_ref_env SEC(".maps");

static __u64 scr_ref_now(void)
{
	__u32 zero = 0;
	struct scr_ref_env *e = bpf_map_lookup_elem(&scr_ref_env, &zero);
	return e ? e->now_ns : 0;
}

static __u32 scr_ref_prandom(void)
{
	__u32 zero = 0;
	struct scr_ref_env *e = bpf_map_lookup_elem(&scr_ref_env, &zero);
	if (!e)
		return 0;
	__u64 s = e->prng ^ SCR_PRNG_SEED;
	s ^= s << 13;
	s ^= s >> 7;
	s ^= s << 17;
	e->prng = s ^ SCR_PRNG_SEED;
	return s >> 32;
}

static __u64 count_source(__u32 saddr, __u64 len)
{
	struct src_stat *s = bpf_map_lookup_elem(&counts, &saddr);
	if (!s) {
		struct src_stat zero = {};
		bpf_map_update_elem(&counts, &saddr, &zero, BPF_NOEXIST);
		s = bpf_map_lookup_elem(&counts, &saddr);
		if (!s)
			return 0;
	}
	s->packets += 1;
	s->bytes += len;
	s->last_ns = scr_ref_now();
	if ((scr_ref_prandom() & 3) == 0)
		s->sampled += 1;
	return s->packets;
}

SEC("xdp")
int srccount(struct xdp_md *ctx)
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

	__u64 packets = count_source(iph->saddr, data_end - data);
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

char LICENSE[] SEC("license") = "GPL";
