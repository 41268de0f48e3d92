// Packet reads are 1, 2, 4 or 8 bytes wide (what a sequencer field and a
// BPF load can be).
// RUN: rm -rf %t.out
// RUN: not scrcc %s --cores 4 -o %t.out 2>&1 | FileCheck %s
// RUN: not test -e %t.out
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u64);
	__type(value, __u64);
} wide_keys SEC(".maps");

SEC("xdp")
int wide_read(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	unsigned __int128 *p = data;
	__u64 one = 1;

	if ((void *)(p + 1) > data_end)
		return XDP_PASS;
	// CHECK: reject-packet-read-size.c:[[@LINE+1]]:22: error: packet read of 16 bytes is not supported
	__u64 key = (__u64)(*p >> 64);
	bpf_map_update_elem(&wide_keys, &key, &one, BPF_ANY);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
