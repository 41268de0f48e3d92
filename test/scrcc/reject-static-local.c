// A static local lives across packets: it is global state in disguise.
// RUN: rm -rf %t.out
// RUN: not scrcc %s --cores 4 -o %t.out 2>&1 | FileCheck %s
// RUN: not test -e %t.out
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int count_in_static(struct xdp_md *ctx)
{
	// CHECK: reject-static-local.c:[[@LINE+1]]:15: error: static local variables are global state; not supported by scrcc yet
	static __u64 seen;

	return seen ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
