// Inline assembly can do anything; scrcc cannot tell what.
// RUN: rm -rf %t.out
// RUN: not scrcc %s --cores 4 -o %t.out 2>&1 | FileCheck %s
// RUN: not test -e %t.out
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int has_asm(struct xdp_md *ctx)
{
	__u64 v = 1;

	// CHECK: reject-inline-asm.c:[[@LINE+1]]:2: error: inline assembly is not supported by scrcc
	asm volatile("%0 += 1" : "+r"(v));
	return v ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
