// A map definition without __uint(type, ...) cannot be replicated: scrcc
// would not know its per-CPU type.
// RUN: rm -rf %t.out
// RUN: not scrcc %s --cores 4 -o %t.out 2>&1 | FileCheck %s
// RUN: not test -e %t.out
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
// CHECK: reject-map-without-type.c:[[@LINE+1]]:3: error: map 'untyped' has no __uint(type, ...) field
} untyped SEC(".maps");

SEC("xdp")
int prog(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
