// Only BTF-defined maps (a struct in SEC(".maps")) can be analysed and
// rewritten.
// RUN: rm -rf %t.out
// RUN: not scrcc %s --cores 4 -o %t.out 2>&1 | FileCheck %s
// RUN: not test -e %t.out
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

// CHECK: reject-map-not-btf.c:[[@LINE+1]]:5: error: map 'not_a_map' is not a BTF-defined map (expected a struct in SEC(".maps"))
int not_a_map SEC(".maps");

SEC("xdp")
int prog(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
