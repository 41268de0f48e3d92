// A loop whose bound comes from the packet has no constant trip count: the
// verifier cannot bound it and scrcc cannot slice it.
// RUN: rm -rf %t.out
// RUN: not scrcc %s --cores 4 -o %t.out 2>&1 | FileCheck %s
// RUN: not test -e %t.out
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} option_words SEC(".maps");

SEC("xdp")
int count_option_words(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct iphdr *iph = data + sizeof(struct ethhdr);
	__u32 zero = 0;
	__u64 *words;
	__u32 i = 5;

	if ((void *)(iph + 1) > data_end)
		return XDP_PASS;
	words = bpf_map_lookup_elem(&option_words, &zero);
	if (!words)
		return XDP_PASS;
	// CHECK: reject-unbounded-loop.c:[[@LINE+1]]:2: error: loop without a constant bound: scrcc (and the verifier) need a condition that compares a counter with a value that is constant once calls are inlined
	while (i < iph->ihl) {
		*words += 1;
		i++;
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
