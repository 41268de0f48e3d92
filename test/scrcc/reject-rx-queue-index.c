// Under SCR the sequencer sprays one flow over every queue, so the receive
// queue is a per-core value.
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
} per_queue SEC(".maps");

SEC("xdp")
int count_by_queue(struct xdp_md *ctx)
{
	// CHECK: reject-rx-queue-index.c:[[@LINE+1]]:16: error: reads xdp_md->rx_queue_index, which differs per core under SCR (replicas would diverge)
	__u32 queue = ctx->rx_queue_index;
	__u64 one = 1;

	bpf_map_update_elem(&per_queue, &queue, &one, BPF_ANY);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
