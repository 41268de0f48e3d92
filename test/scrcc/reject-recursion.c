// BPF forbids recursion, and scrcc inlines every call while it analyses.
// RUN: rm -rf %t.out
// RUN: not scrcc %s --cores 4 -o %t.out 2>&1 | FileCheck %s
// RUN: not test -e %t.out
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static int depth(int n)
{
	if (n <= 0)
		return 0;
	// CHECK: reject-recursion.c:[[@LINE+1]]:13: error: recursive call to 'depth' is not supported (BPF forbids recursion)
	return 1 + depth(n - 1);
}

SEC("xdp")
int recurse(struct xdp_md *ctx)
{
	return depth(3) ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
