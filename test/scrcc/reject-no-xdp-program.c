// A file without a SEC("xdp") function has nothing to compile.
// RUN: rm -rf %t.out
// RUN: not scrcc %s --cores 4 -o %t.out 2>&1 | FileCheck %s
// RUN: not test -e %t.out
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("tc")
int not_xdp(struct __sk_buff *skb)
{
	return 0;
}

// CHECK: error: no XDP program found: expected a function in SEC("xdp")

char LICENSE[] SEC("license") = "GPL";
