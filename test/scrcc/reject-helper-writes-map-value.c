// A helper that writes into a map value changes state in a way the replay
// cannot reproduce.
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
} scratch SEC(".maps");

SEC("xdp")
int copy_into_map(struct xdp_md *ctx)
{
	__u32 zero = 0;
	__u64 *v = bpf_map_lookup_elem(&scratch, &zero);

	if (!v)
		return XDP_PASS;
	// CHECK: reject-helper-writes-map-value.c:[[@LINE+1]]:2: error: helper 'bpf_probe_read_kernel' may write into a map value; scrcc cannot replay it
	bpf_probe_read_kernel(v, sizeof(*v), ctx);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
