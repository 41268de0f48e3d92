// A file without an XDP function has nothing to compile: a TC program in
// iproute2's old `prog` section is not one (its context is a __sk_buff).
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

SEC("prog")
int classifier(struct __sk_buff *skb)
{
	return 0;
}

// CHECK: error: no XDP program found: expected a function in a SEC("xdp") section taking a struct xdp_md *

char LICENSE[] SEC("license") = "GPL";
