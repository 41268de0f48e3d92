// The context pointer itself (its address) is meaningless in another core's
// replay, so it cannot feed state.
// RUN: rm -rf %t.out
// RUN: not scrcc %s --cores 4 -o %t.out 2>&1 | FileCheck %s
// RUN: not test -e %t.out
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u64);
	__type(value, __u64);
} by_context SEC(".maps");

SEC("xdp")
int keyed_by_context(struct xdp_md *ctx)
{
	__u64 one = 1;
	// CHECK: reject-context-in-state.c:[[@LINE+1]]:20: error: the program context flows into the state update here; only packet fields the program reads directly can be carried in the history
	__u64 key = (long)ctx;
	// The notes say why the statement is replayed, up to the state update.
	// CHECK: reject-context-in-state.c:[[@LINE-2]]:2: note: data dependence: defines `key`
	// CHECK: reject-context-in-state.c:[[@LINE+2]]:2: note: state dependence: update of map `by_context`

	bpf_map_update_elem(&by_context, &key, &one, BPF_ANY);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
