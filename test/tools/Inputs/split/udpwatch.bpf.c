// SPDX-License-Identifier: GPL-2.0
/*
 * udpwatch.bpf.c - a program split over headers, as real programs are:
 * "common/watch.h" is relative to this file, "udpwatch_config.h" is found
 * through -I conf only, and it needs -DWATCH_PORT=N. Counts the UDP
 * datagrams (and bytes) each source sends to WATCH_PORT and drops a
 * source's datagrams after WATCH_LIMIT of them.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include "common/watch.h"
#include "udpwatch_config.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct watch_entry);
} watch_counts SEC(".maps");

SEC("xdp")
int udpwatch(struct xdp_md *ctx)
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
	if (iph->ihl != 5 || iph->protocol != IPPROTO_UDP)
		return XDP_PASS;
	struct udphdr *udp = (void *)(iph + 1);
	if ((void *)(udp + 1) > data_end)
		return XDP_PASS;
	if (udp->dest != bpf_htons(WATCH_PORT))
		return XDP_PASS;

	__u32 saddr = iph->saddr;
	struct watch_entry *e = bpf_map_lookup_elem(&watch_counts, &saddr);
	if (!e) {
		struct watch_entry first = {1, (__u32)(data_end - data)};
		bpf_map_update_elem(&watch_counts, &saddr, &first, BPF_ANY);
		return XDP_PASS;
	}
	e->datagrams += 1;
	e->bytes += (__u32)(data_end - data);
	return watch_verdict(e->datagrams, WATCH_LIMIT);
}

char LICENSE[] SEC("license") = "GPL";
