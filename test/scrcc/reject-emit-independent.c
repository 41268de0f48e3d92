// What scrcc accepts does not depend on --emit: a kept macro whose body
// scrcc would have to cut (here a local the replay does not need) is
// refused when only the layout is asked for, as in the default run.
// RUN: rm -rf %t.out
// RUN: not scrcc %s --cores 4 -o %t.out 2>&1 | FileCheck %s
// RUN: not scrcc %s --cores 4 --emit layout -o %t.out 2>&1 | FileCheck %s
// RUN: not test -e %t.out
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} frames SEC(".maps");

#define COUNT_FRAME(counter) do {                               \
	long __len = data_end - data;                           \
	(void)__len;                                            \
	*(counter) += 1;                                        \
} while (0)

SEC("xdp")
int count(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&frames, &zero);

	if (!n)
		return XDP_PASS;
	// CHECK: reject-emit-independent.c:[[@LINE+1]]:2: error: scrcc cannot rewrite this code (it is inside a macro or outside the input file)
	COUNT_FRAME(n);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
