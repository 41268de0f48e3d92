// scrcc cannot give every replica a private copy of a written stack yet
// (nor could the oracle read one back to compare it): refused.
// RUN: rm -rf %t.out
// RUN: not scrcc %s --cores 4 -o %t.out 2>&1 | FileCheck %s
// RUN: not test -e %t.out
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_STACK);
	__uint(max_entries, 64);
	__type(value, __u32);
// CHECK: reject-unreplicable-map.c:[[@LINE+1]]:3: error: map `recent` (BPF_MAP_TYPE_STACK) is written by the program, but scrcc cannot give every replica a private copy of a map of this type
} recent SEC(".maps");

SEC("xdp")
int remember(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 len = data_end - data;

	bpf_map_push_elem(&recent, &len, BPF_EXIST);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
