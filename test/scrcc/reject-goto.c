// Forward gotos are followed (accept-goto-exits.test); a goto that jumps
// backwards is a loop made of jumps, and one into a loop body enters the
// loop where no bound was checked: both are refused.
// RUN: rm -rf %t.out
// RUN: not scrcc %s --cores 4 --entry backwards -o %t.out 2>&1 | FileCheck %s
// RUN: not test -e %t.out
// RUN: not scrcc %s --cores 4 --entry into_loop -o %t.out 2>&1 | FileCheck %s --check-prefix=INTO
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} seen SEC(".maps");

SEC("xdp")
int backwards(struct xdp_md *ctx)
{
	__u32 zero = 0, tries = 0;
	__u64 *v;

again:
	v = bpf_map_lookup_elem(&seen, &zero);
	if (v)
		(*v)++;
	if (++tries < 3)
		// CHECK: reject-goto.c:[[@LINE+1]]:3: error: backward goto (a loop made of jumps) is not supported by scrcc; write the loop as a for or while loop with a constant bound
		goto again;
	return XDP_PASS;
}

SEC("xdp")
int into_loop(struct xdp_md *ctx)
{
	__u32 zero = 0;
	__u64 *v = bpf_map_lookup_elem(&seen, &zero);
	int i;

	if (!v)
		return XDP_PASS;
	if (*v > 10)
		// INTO: reject-goto.c:[[@LINE+1]]:3: error: goto into the body of a loop, a switch or a statement expression is not supported by scrcc
		goto inside;
	for (i = 0; i < 4; i++) {
		(*v)++;
inside:
		(*v) += 2;
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
