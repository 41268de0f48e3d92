// scrcc cannot give every replica a private copy of a written LPM trie yet.
// RUN: rm -rf %t.out
// RUN: not scrcc %s --cores 4 -o %t.out 2>&1 | FileCheck %s
// RUN: not test -e %t.out
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct prefix_key {
	__u32 prefixlen;
	__u32 addr;
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 64);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct prefix_key);
	__type(value, __u64);
// CHECK: reject-no-percpu-variant.c:[[@LINE+1]]:3: error: map `learned` (BPF_MAP_TYPE_LPM_TRIE) is written by the program, but scrcc cannot give every replica a private copy of a map of this type
} learned SEC(".maps");

SEC("xdp")
int learn(struct xdp_md *ctx)
{
	struct prefix_key k = {32, 0};
	__u64 one = 1;

	bpf_map_update_elem(&learned, &k, &one, BPF_ANY);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
