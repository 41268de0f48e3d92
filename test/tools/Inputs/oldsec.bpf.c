// SPDX-License-Identifier: GPL-2.0
/*
 * oldsec.bpf.c - a per-source packet counter in an old-style section,
 * SEC("xdp_prog"), as older tutorials and the SCR authors' own programs
 * write it (old-section.test also renames it to iproute2's SEC("prog")).
 * libbpf cannot tell the program type from such a name.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u64);
} per_source SEC(".maps");

SEC("xdp_prog")
int count_sources(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	struct iphdr *iph = (void *)(eth + 1);
	if ((void *)(iph + 1) > data_end)
		return XDP_PASS;
	__u32 saddr = iph->saddr;
	__u64 *n = bpf_map_lookup_elem(&per_source, &saddr);
	if (n) {
		*n += 1;
		return *n > 20 ? XDP_DROP : XDP_PASS;
	}
	__u64 first = 1;
	bpf_map_update_elem(&per_source, &saddr, &first, BPF_ANY);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
