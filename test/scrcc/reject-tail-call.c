// A tail call hands the packet to another program: its state updates are
// invisible to scrcc, so the replicas could not replay them.
// RUN: rm -rf %t.out
// RUN: not scrcc %s --cores 4 -o %t.out 2>&1 | FileCheck %s
// RUN: not test -e %t.out
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} jump_table SEC(".maps");

SEC("xdp")
int tail_caller(struct xdp_md *ctx)
{
	// CHECK: reject-tail-call.c:[[@LINE+3]]:2: error: tail calls are not supported: the SCR program must see the whole state-update logic in one program
	// CHECK-NEXT: {{^ +}}[[@LINE+2]] |         bpf_tail_call(ctx, &jump_table, 0);
	// CHECK-NEXT: {{^ +}}|         ^
	bpf_tail_call(ctx, &jump_table, 0);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
