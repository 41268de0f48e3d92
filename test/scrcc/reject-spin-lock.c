// Spin locks guard state shared between cores; scrcc does not strip them yet.
// RUN: rm -rf %t.out
// RUN: not scrcc %s --cores 4 -o %t.out 2>&1 | FileCheck %s
// RUN: not test -e %t.out
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct locked_counter {
	struct bpf_spin_lock lock;
	__u64 packets;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct locked_counter);
} counter SEC(".maps");

SEC("xdp")
int locked_count(struct xdp_md *ctx)
{
	__u32 zero = 0;
	struct locked_counter *c = bpf_map_lookup_elem(&counter, &zero);

	if (!c)
		return XDP_PASS;
	// CHECK: reject-spin-lock.c:[[@LINE+1]]:2: error: bpf_spin_lock is not supported by scrcc yet
	bpf_spin_lock(&c->lock);
	c->packets++;
	// CHECK: reject-spin-lock.c:[[@LINE+1]]:2: error: bpf_spin_lock is not supported by scrcc yet
	bpf_spin_unlock(&c->lock);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
