// A map key that points into the packet is carried in the history only
// when scrcc knows how many bytes the helper reads: a map whose key size
// it cannot read (no __type(key, ...), no key_size) leaves the packet
// pointer in the state update, which is refused.
// RUN: rm -rf %t.out
// RUN: not scrcc %s --cores 4 -o %t.out 2>&1 | FileCheck %s
// RUN: not test -e %t.out
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(value, __u64);
} sources SEC(".maps");

SEC("xdp")
int count(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);
	__u64 one = 1;

	if ((void *)(iph + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	// CHECK: reject-packet-key-size.c:[[@LINE+1]]:33: error: a packet pointer flows into the state update here; scrcc can carry packet values in the history, not pointers into the packet
	bpf_map_update_elem(&sources, &iph->saddr, &one, BPF_ANY);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
