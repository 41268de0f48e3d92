// The CPU number differs on every core: state derived from it would make the
// replicas diverge.
// RUN: rm -rf %t.out
// RUN: not scrcc %s --cores 4 -o %t.out 2>&1 | FileCheck %s
// RUN: not test -e %t.out
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} per_cpu_hits SEC(".maps");

SEC("xdp")
int count_by_cpu(struct xdp_md *ctx)
{
	// CHECK: reject-smp-processor-id.c:[[@LINE+1]]:14: error: 'bpf_get_smp_processor_id' returns a per-core value: under SCR every core must compute the same state, so per-core values are rejected
	__u32 cpu = bpf_get_smp_processor_id();
	__u64 one = 1;

	bpf_map_update_elem(&per_cpu_hits, &cpu, &one, BPF_ANY);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
