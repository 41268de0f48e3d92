// Replicated maps are reached through lookups, updates, deletes, pushes,
// pops and peeks, which scrcc reroutes to the running replica's copy; any
// other helper given one is refused, at the call.
// RUN: rm -rf %t.out
// RUN: not scrcc %s --cores 4 -o %t.out 2>&1 | FileCheck %s
// RUN: not test -e %t.out
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

SEC("xdp")
int count(struct xdp_md *ctx)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&counters, &zero), *other;

	if (!n)
		return XDP_PASS;
	*n += 1;
// CHECK: reject-replicated-map-helper.c:[[@LINE+1]]:10: error: 'bpf_map_lookup_percpu_elem' on the written map `counters` is not supported
	other = bpf_map_lookup_percpu_elem(&counters, &zero, 1);
	return other && *other > *n ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
