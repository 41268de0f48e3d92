// The offset of the byte that is counted comes from a map: a sequencer
// cannot know it, so the byte cannot travel in the history.
// RUN: rm -rf %t.out
// RUN: not scrcc %s --cores 4 -o %t.out 2>&1 | FileCheck %s
// RUN: not test -e %t.out
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} probe_offset SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u8);
	__type(value, __u64);
} byte_histogram SEC(".maps");

SEC("xdp")
int histogram(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 zero = 0;
	__u32 *off = bpf_map_lookup_elem(&probe_offset, &zero);
	__u64 one = 1;
	__u8 *p;

	if (!off || *off > 1000)
		return XDP_PASS;
	p = data + *off;
	if ((void *)(p + 1) > data_end)
		return XDP_PASS;
	// CHECK: reject-packet-offset-from-state.c:[[@LINE+1]]:13: error: state depends on packet bytes scrcc cannot describe to the sequencer
	__u8 key = *p;
	bpf_map_update_elem(&byte_histogram, &key, &one, BPF_ANY);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
