// A mutable global is state, but scrcc only replicates maps so far: writing
// one must be refused, not silently left shared between cores.
// RUN: rm -rf %t.out
// RUN: not scrcc %s --cores 4 -o %t.out 2>&1 | FileCheck %s
// RUN: not test -e %t.out
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u64 packets_seen;

SEC("xdp")
int count_in_global(struct xdp_md *ctx)
{
	// CHECK: reject-global-write.c:[[@LINE+1]]:2: error: writes a global variable: mutable globals are not supported by scrcc yet (keep state in a BPF map)
	packets_seen++;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
