// SPDX-License-Identifier: GPL-2.0
/*
 * heavy_hitter.bpf.c - heavy-hitter monitor: per-flow packet and byte counts.
 *
 * Every IPv4 TCP or UDP packet is accounted to its 5-tuple (addresses, ports,
 * protocol). A flow whose byte count goes over `heavy_hitter_bytes` is
 * flagged as a heavy hitter; from then on its packets are dropped if
 * `drop_heavy_hitters` is set (the default), so the monitor doubles as an
 * elephant-flow policer. Flagged flows keep being counted.
 *
 * State:    flow_stats  BPF_MAP_TYPE_HASH  struct flow_key (5-tuple)
 *                                          -> struct flow_stats
 *                                             { packets, bytes, heavy flag }.
 * Config:   heavy_hitter_bytes, drop_heavy_hitters (const volatile).
 * Verdicts: XDP_PASS for non-IPv4 traffic, other IP protocols, non-first
 *           IP fragments and truncated headers;
 *           XDP_DROP for packets of flagged flows when drop_heavy_hitters
 *           is set (including the packet that crossed the threshold);
 *           XDP_PASS otherwise.
 * Bytes are whole frames as seen by XDP (Ethernet header included).
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

/* Bytes after which a flow counts as a heavy hitter. Deliberately small so
 * that short traces reach it; production loaders set it before load. */
const volatile __u64 heavy_hitter_bytes = 64 * 1024;
const volatile __u8 drop_heavy_hitters = 1;

struct flow_key {
	__u32 saddr;
	__u32 daddr;
	__u16 sport;
	__u16 dport;
	__u8 protocol;
	__u8 pad[3];
};

struct flow_stats {
	__u64 packets;
	__u64 bytes;
	__u32 heavy;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1 << 16);
	__type(key, struct flow_key);
	__type(value, struct flow_stats);
} flow_stats SEC(".maps");

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

/* Adds one packet of `bytes` bytes to the flow and returns its statistics,
 * or NULL if the table is full. */
static struct flow_stats *account(struct flow_key *key, __u64 bytes)
{
	struct flow_stats *stats = bpf_map_lookup_elem(&flow_stats, key);
	if (stats) {
		__sync_fetch_and_add(&stats->packets, 1);
		__sync_fetch_and_add(&stats->bytes, bytes);
		return stats;
	}

	struct flow_stats fresh = {
		.packets = 1,
		.bytes = bytes,
	};
	if (bpf_map_update_elem(&flow_stats, key, &fresh, BPF_NOEXIST))
		return NULL;
	return bpf_map_lookup_elem(&flow_stats, key);
}

SEC("xdp")
int heavy_hitter(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct flow_key key = {};

	if (parse_flow_key(data, data_end, &key) < 0)
		return XDP_PASS;

	struct flow_stats *stats = account(&key, data_end - data);
	if (!stats)
		return XDP_PASS;

	if (!stats->heavy && stats->bytes > heavy_hitter_bytes)
		stats->heavy = 1;

	if (stats->heavy && drop_heavy_hitters)
		return XDP_DROP;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
