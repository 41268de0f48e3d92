// scrcc must know every function the program can call: a call through a
// function pointer could update state behind its back.
// RUN: rm -rf %t.out
// RUN: not scrcc %s --cores 4 -o %t.out 2>&1 | FileCheck %s
// RUN: not test -e %t.out
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} packets SEC(".maps");

static int count(void)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&packets, &zero);

	if (n)
		*n += 1;
	return XDP_PASS;
}

SEC("xdp")
int through_pointer(struct xdp_md *ctx)
{
	int (*action)(void) = count;

	// CHECK: reject-function-pointer.c:[[@LINE+1]]:9: error: indirect call through a function pointer is not supported
	return action();
}

char LICENSE[] SEC("license") = "GPL";
