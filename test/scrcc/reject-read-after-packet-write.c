// The program rewrites the source address and then counts by it: the
// sequencer sees the packet before the program changed it, so it cannot
// provide the value the state update uses.
// RUN: rm -rf %t.out
// RUN: not scrcc %s --cores 4 -o %t.out 2>&1 | FileCheck %s
// RUN: not test -e %t.out
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} by_rewritten_source SEC(".maps");

SEC("xdp")
int rewrite_then_count(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);
	__u64 one = 1;

	if ((void *)(iph + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	iph->saddr = iph->daddr;
	// CHECK: reject-read-after-packet-write.c:[[@LINE+1]]:16: error: state depends on packet bytes scrcc cannot describe to the sequencer (read after the program wrote the packet, at an offset it cannot compute, or compared in bulk by memcmp)
	__u32 saddr = iph->saddr;
	bpf_map_update_elem(&by_rewritten_source, &saddr, &one, BPF_ANY);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
