// SPDX-License-Identifier: GPL-2.0
/*
 * ddos.bpf.c - DDoS mitigator: per-source packet counting with a threshold.
 *
 * Every IPv4 packet is counted against its source address. Once a source has
 * sent more than `packet_threshold` packets it is considered an attacker and
 * all its further packets are dropped (it keeps being counted, so the counts
 * show the attack volume). Sources listed in the operator-maintained block
 * list are dropped outright and not counted.
 *
 * State:    src_counts  BPF_MAP_TYPE_HASH  __u32 saddr (network order)
 *                                          -> __u64 packets seen.
 * Config:   blocklist   BPF_MAP_TYPE_HASH  __u32 saddr -> __u8 (any value);
 *                       filled from user space, only read here.
 *           packet_threshold (const volatile, set before load).
 * Verdicts: XDP_PASS for non-IPv4 traffic and truncated headers;
 *           XDP_DROP for block-listed sources and for sources whose count
 *           (including this packet) exceeds packet_threshold;
 *           XDP_PASS otherwise.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

/* Packets a source may send before it is treated as an attacker. */
const volatile __u64 packet_threshold = 100;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1 << 20);
	__type(key, __u32);
	__type(value, __u64);
} src_counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u8);
} blocklist SEC(".maps");

/* Counts one more packet from saddr and returns the new total. */
static __u64 count_packet(__u32 saddr)
{
	__u64 *count = bpf_map_lookup_elem(&src_counts, &saddr);
	if (count) {
		*count += 1;
		return *count;
	}

	__u64 first = 1;
	bpf_map_update_elem(&src_counts, &saddr, &first, BPF_NOEXIST);
	return first;
}

SEC("xdp")
int ddos_mitigator(struct xdp_md *ctx)
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

	__u32 saddr = iph->saddr;
	if (bpf_map_lookup_elem(&blocklist, &saddr))
		return XDP_DROP;

	if (count_packet(saddr) > packet_threshold)
		return XDP_DROP;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
