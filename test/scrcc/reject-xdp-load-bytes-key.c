// A helper that copies packet bytes into a local (bpf_xdp_load_bytes) makes
// that local a packet value. If it keys a state update, the history must
// carry it, or scrcc must refuse the program; replaying the local's initial
// value for every history entry would be a silent miscompilation.
// RUN: rm -rf %t.out
// RUN: not scrcc %s --cores 4 -o %t.out 2>&1 | FileCheck %s
// RUN: not test -e %t.out
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u8);
	__type(value, __u64);
} by_byte SEC(".maps");

SEC("xdp")
int count_byte(struct xdp_md *ctx)
{
	__u8 key = 0;
	__u64 one = 1;

	// CHECK: reject-xdp-load-bytes-key.c:[[@LINE+1]]:21: error: the program context flows into the state update here
	bpf_xdp_load_bytes(ctx, 12, &key, 1);
	bpf_map_update_elem(&by_byte, &key, &one, BPF_ANY);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
