// Every use of a written global must point at the replica's copy; one
// named inside the program's own macro cannot be rewritten: refused.
// RUN: rm -rf %t.out
// RUN: not scrcc %s --cores 4 --emit layout -o %t.out 2>&1 | FileCheck %s
// RUN: not test -e %t.out
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define COUNT() (packets++)

__u64 packets;

SEC("xdp")
int count(struct xdp_md *ctx)
{
// CHECK: reject-global-in-macro.c:[[@LINE+1]]:2: error: the written global `packets` is named inside a macro or outside the input file
	COUNT();
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
