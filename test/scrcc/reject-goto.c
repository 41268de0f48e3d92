// scrcc's control-dependence analysis is structured: goto is refused.
// RUN: rm -rf %t.out
// RUN: not scrcc %s --cores 4 -o %t.out 2>&1 | FileCheck %s
// RUN: not test -e %t.out
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int jumps(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	if (data + 14 > data_end)
		// CHECK: reject-goto.c:[[@LINE+1]]:3: error: goto is not supported by scrcc
		goto out;
	return XDP_DROP;
out:
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
