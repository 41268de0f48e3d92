// A store through a pointer that scrcc cannot trace might hit replicated
// state.
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
} slots SEC(".maps");

SEC("xdp")
int store_anywhere(struct xdp_md *ctx)
{
	__u32 zero = 0, which = bpf_get_prandom_u32() & 1;
	__u64 spare = 0;
	__u64 *v = bpf_map_lookup_elem(&slots, &zero);
	__u64 *targets[2] = { v, &spare };

	if (!v)
		return XDP_PASS;
	// Which pointer is picked is not known: it may be the map value.
	// CHECK: reject-unknown-store.c:[[@LINE+1]]:2: error: store through a pointer whose target scrcc cannot determine; it might be replicated state
	*targets[which] = 7;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
