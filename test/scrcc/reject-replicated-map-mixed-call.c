// One lookup helper used for a replicated map and for a shared one: the
// call cannot go to both a replica's private copy and the shared map.
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
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} limits SEC(".maps");

static __always_inline __u64 *slot(void *map)
{
	__u32 zero = 0;

// CHECK: reject-replicated-map-mixed-call.c:[[@LINE+1]]:9: error: this call may operate on the replicated map `counters` or on the shared map `limits`
	return bpf_map_lookup_elem(map, &zero);
}

SEC("xdp")
int count(struct xdp_md *ctx)
{
	__u64 *n = slot(&counters), *limit = slot(&limits);

	if (!n || !limit || *n >= *limit)
		return XDP_DROP;
	*n += 1;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
