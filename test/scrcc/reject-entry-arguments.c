// An XDP entry takes exactly the context pointer.
// RUN: rm -rf %t.out
// RUN: not scrcc %s --cores 4 -o %t.out 2>&1 | FileCheck %s
// RUN: not test -e %t.out
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
// CHECK: reject-entry-arguments.c:[[@LINE+1]]:5: error: XDP entry must take exactly one argument (struct xdp_md *)
int two_arguments(struct xdp_md *ctx, int extra)
{
	return extra ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
