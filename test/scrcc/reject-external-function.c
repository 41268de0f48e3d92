// A function defined elsewhere may update state scrcc cannot see.
// RUN: rm -rf %t.out
// RUN: not scrcc %s --cores 4 -o %t.out 2>&1 | FileCheck %s
// RUN: not test -e %t.out
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int classify(struct xdp_md *ctx);

SEC("xdp")
int calls_elsewhere(struct xdp_md *ctx)
{
	// CHECK: reject-external-function.c:[[@LINE+1]]:9: error: call to 'classify', which has no body in this file; scrcc needs the source of every function the program calls
	return classify(ctx);
}

char LICENSE[] SEC("license") = "GPL";
