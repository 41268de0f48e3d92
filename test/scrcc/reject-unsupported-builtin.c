// Builtins scrcc does not model are refused rather than guessed at.
// RUN: rm -rf %t.out
// RUN: not scrcc %s --cores 4 -o %t.out 2>&1 | FileCheck %s
// RUN: not test -e %t.out
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int count_bits(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 len = data_end - data;

	// CHECK: reject-unsupported-builtin.c:[[@LINE+1]]:9: error: builtin '__builtin_popcount' is not supported by scrcc
	return __builtin_popcount(len) & 1 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
