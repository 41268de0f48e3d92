// A key copied out of the packet in bulk and then used for state is
// refused at the copy: scrcc does not track the bytes of a local that a
// memcpy filled, so it cannot turn them into history fields (assign the
// key's fields from the headers instead: accept-builtins.test).
// RUN: rm -rf %t.out
// RUN: not scrcc %s --cores 4 -o %t.out 2>&1 | FileCheck %s
// RUN: not test -e %t.out
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct in6_addr);
	__type(value, __u64);
} v6_sources SEC(".maps");

SEC("xdp")
int xdp_count_v6(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;
	struct ipv6hdr *ip6h = (void *)(eth + 1);
	struct in6_addr src;
	__u64 one = 1, *n;

	if ((void *)(ip6h + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IPV6))
		return XDP_PASS;
	// CHECK: reject-memcpy-packet-key.c:[[@LINE+1]]:26: error: a packet pointer flows into the state update here; scrcc can carry packet values in the history, not pointers into the packet
	__builtin_memcpy(&src, &ip6h->saddr, sizeof(src));
	n = bpf_map_lookup_elem(&v6_sources, &src);
	if (n)
		*n += 1;
	else
		bpf_map_update_elem(&v6_sources, &src, &one, BPF_NOEXIST);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
