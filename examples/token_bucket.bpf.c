// SPDX-License-Identifier: GPL-2.0
/*
 * token_bucket.bpf.c - per-flow token-bucket policer.
 *
 * Every IPv4 TCP or UDP flow (5-tuple) owns a bucket of byte tokens. The
 * bucket refills at `rate_bytes_per_sec` according to the time elapsed since
 * the flow's previous packet (bpf_ktime_get_ns()) and holds at most
 * `burst_bytes`. A packet that finds enough tokens consumes its length in
 * tokens and passes; otherwise it is dropped and consumes nothing. A new flow
 * starts with a full bucket.
 *
 * State:    flow_buckets  BPF_MAP_TYPE_HASH  struct flow_key (5-tuple)
 *                                            -> struct bucket
 *                                               { last refill ns, tokens }.
 * Config:   rate_bytes_per_sec, burst_bytes (const volatile).
 * Verdicts: XDP_PASS for non-IPv4 traffic, other IP protocols, non-first
 *           IP fragments and truncated headers;
 *           XDP_DROP when the flow's bucket holds fewer tokens than the
 *           frame length (Ethernet header included), XDP_PASS otherwise.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

/* Fragment offset mask of iphdr.frag_off; not in the UAPI headers. */
#define IP_OFFSET 0x1fff
#define NSEC_PER_SEC 1000000000ULL

/* 10 MB/s (80 Mbit/s) sustained per flow, bursts of up to 16 KiB. */
const volatile __u64 rate_bytes_per_sec = 10 * 1000 * 1000;
const volatile __u64 burst_bytes = 16 * 1024;

struct flow_key {
	__u32 saddr;
	__u32 daddr;
	__u16 sport;
	__u16 dport;
	__u8 protocol;
	__u8 pad[3];
};

struct bucket {
	__u64 last_refill_ns;
	__u64 tokens;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1 << 16);
	__type(key, struct flow_key);
	__type(value, struct bucket);
} flow_buckets SEC(".maps");

/* Fills key from the IPv4 header and the TCP/UDP ports behind it.
 * Returns 0 on success, -1 if the packet is not a trackable TCP/UDP one. */
static int parse_flow_key(void *data, void *data_end, struct flow_key *key)
{
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > data_end)
		return -1;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return -1;

	struct iphdr *iph = (void *)(eth + 1);
	if ((void *)(iph + 1) > data_end)
		return -1;
	if (iph->ihl < 5)
		return -1;
	/* Only the first fragment carries the ports. */
	if (iph->frag_off & bpf_htons(IP_OFFSET))
		return -1;

	void *l4 = (void *)iph + iph->ihl * 4;
	key->saddr = iph->saddr;
	key->daddr = iph->daddr;
	key->protocol = iph->protocol;

	switch (iph->protocol) {
	case IPPROTO_TCP: {
		struct tcphdr *tcp = l4;
		if ((void *)(tcp + 1) > data_end)
			return -1;
		key->sport = bpf_ntohs(tcp->source);
		key->dport = bpf_ntohs(tcp->dest);
		return 0;
	}
	case IPPROTO_UDP: {
		struct udphdr *udp = l4;
		if ((void *)(udp + 1) > data_end)
			return -1;
		key->sport = bpf_ntohs(udp->source);
		key->dport = bpf_ntohs(udp->dest);
		return 0;
	}
	default:
		return -1;
	}
}

/* Adds the tokens earned since the last refill, capped at the burst size. */
static void refill(struct bucket *b, __u64 now)
{
	if (now <= b->last_refill_ns)
		return;

	__u64 elapsed = now - b->last_refill_ns;
	/* Cap elapsed before multiplying so the product cannot overflow. */
	if (elapsed >= NSEC_PER_SEC) {
		b->tokens = burst_bytes;
	} else {
		__u64 earned = elapsed * rate_bytes_per_sec / NSEC_PER_SEC;
		b->tokens += earned;
		if (b->tokens > burst_bytes)
			b->tokens = burst_bytes;
	}
	b->last_refill_ns = now;
}

SEC("xdp")
int token_bucket(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct flow_key key = {};

	if (parse_flow_key(data, data_end, &key) < 0)
		return XDP_PASS;

	__u64 len = data_end - data;
	__u64 now = bpf_ktime_get_ns();

	struct bucket *b = bpf_map_lookup_elem(&flow_buckets, &key);
	if (!b) {
		if (len > burst_bytes)
			return XDP_DROP;
		struct bucket fresh = {
			.last_refill_ns = now,
			.tokens = burst_bytes - len,
		};
		bpf_map_update_elem(&flow_buckets, &key, &fresh, BPF_NOEXIST);
		return XDP_PASS;
	}

	refill(b, now);
	if (b->tokens < len)
		return XDP_DROP;
	b->tokens -= len;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
