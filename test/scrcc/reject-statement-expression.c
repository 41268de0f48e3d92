// GNU statement expressions are not modelled.
// RUN: rm -rf %t.out
// RUN: not scrcc %s --cores 4 -o %t.out 2>&1 | FileCheck %s
// RUN: not test -e %t.out
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int stmt_expr(struct xdp_md *ctx)
{
	// CHECK: reject-statement-expression.c:[[@LINE+1]]:16: error: GNU statement expressions are not supported
	int verdict = ({ int v = XDP_PASS; v; });

	return verdict;
}

char LICENSE[] SEC("license") = "GPL";
