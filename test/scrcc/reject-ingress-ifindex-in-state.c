// Metadata the sequencer does not stamp (here the ingress interface) cannot
// be replayed on another core.
// RUN: rm -rf %t.out
// RUN: not scrcc %s --cores 4 -o %t.out 2>&1 | FileCheck %s
// RUN: not test -e %t.out
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} per_interface SEC(".maps");

SEC("xdp")
int count_by_interface(struct xdp_md *ctx)
{
	__u64 one = 1;
	// CHECK: reject-ingress-ifindex-in-state.c:[[@LINE+1]]:18: error: the replayed state update reads xdp_md field `ingress_ifindex`, which the sequencer cannot provide
	__u32 ifindex = ctx->ingress_ifindex;

	bpf_map_update_elem(&per_interface, &ifindex, &one, BPF_ANY);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
