// A map helper named inside the program's own macro cannot be renamed to
// its replica wrapper without changing every use of the macro: refused.
// RUN: rm -rf %t.out
// RUN: not scrcc %s --cores 4 -o %t.out 2>&1 | FileCheck %s
// RUN: not test -e %t.out
// Refused whatever is emitted: the decision comes before any emitter.
// RUN: not scrcc %s --cores 4 --emit layout -o %t.out 2>&1 | FileCheck %s
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define LOOKUP(map, key) bpf_map_lookup_elem(map, key)

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

SEC("xdp")
int count(struct xdp_md *ctx)
{
	__u32 zero = 0;
// CHECK: reject-replicated-map-macro.c:[[@LINE+1]]:13: error: scrcc cannot reroute this call on a replicated map to the running replica's copy: the helper is named inside a macro
	__u64 *c = LOOKUP(&counters, &zero);

	if (c)
		*c += 1;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
