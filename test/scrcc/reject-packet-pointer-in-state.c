// A pointer into the packet has no meaning on another core: the history can
// carry packet values, not addresses.
// RUN: rm -rf %t.out
// RUN: not scrcc %s --cores 4 -o %t.out 2>&1 | FileCheck %s
// RUN: not test -e %t.out
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} last_address SEC(".maps");

SEC("xdp")
int remember_address(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	__u32 zero = 0;
	__u64 *slot = bpf_map_lookup_elem(&last_address, &zero);

	if (!slot)
		return XDP_PASS;
	// CHECK: reject-packet-pointer-in-state.c:[[@LINE+1]]:16: error: a packet pointer flows into the state update here; scrcc can carry packet values in the history, not pointers into the packet
	*slot = (long)data;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
