// The NUMA node is a per-core value too, even when it only steers a branch.
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
} packets SEC(".maps");

SEC("xdp")
int count_on_node_zero(struct xdp_md *ctx)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&packets, &zero);

	if (!n)
		return XDP_PASS;
	// CHECK: reject-numa-node-id.c:[[@LINE+1]]:6: error: 'bpf_get_numa_node_id' returns a per-core value
	if (bpf_get_numa_node_id() == 0)
		*n += 1;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
