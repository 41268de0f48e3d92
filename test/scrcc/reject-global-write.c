// A written global is replicated state: every replica gets a zeroed copy.
// One with an initial value cannot be given it yet (the copies are maps,
// which start zeroed): refused at the declaration, not silently zeroed.
// RUN: rm -rf %t.out
// RUN: not scrcc %s --cores 4 -o %t.out 2>&1 | FileCheck %s
// RUN: not test -e %t.out
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

// CHECK: reject-global-write.c:[[@LINE+1]]:7: error: cannot give every replica a private copy of the written global `budget`: it has an initial value (only zero-initialised globals can be replicated so far: move the value into a map)
__u64 budget = 1000;

SEC("xdp")
int spend(struct xdp_md *ctx)
{
	if (budget == 0)
		return XDP_DROP;
	budget--;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
