// scrcc must know which map a helper updates; a map chosen at run time
// hides that.
// RUN: rm -rf %t.out
// RUN: not scrcc %s --cores 4 -o %t.out 2>&1 | FileCheck %s
// RUN: not test -e %t.out
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct counters {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
};
struct counters even SEC(".maps"), odd SEC(".maps");

SEC("xdp")
int pick_map(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 key = 0;
	__u64 one = 1;
	void *m = data_end - data > 100 ? (void *)&even : (void *)&odd;

	// CHECK: reject-unknown-map-argument.c:[[@LINE+1]]:2: error: cannot tell which map 'bpf_map_update_elem' operates on: pass a map declared in SEC(".maps") directly
	bpf_map_update_elem(m, &key, &one, BPF_ANY);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
