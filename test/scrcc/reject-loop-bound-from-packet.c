// A loop bound decided by the packet stays refused, wherever it comes
// from: a length passed down to an inlined helper, or a counter that
// starts at a packet value. (Bounds that are constants once calls are
// inlined are accepted: accept-loop-bounds.test.)
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
} option_sum SEC(".maps");

static __always_inline __u32 sum_words(const __u32 *w, __u32 len)
{
	__u32 i, sum = 0;

	// CHECK: reject-loop-bound-from-packet.c:[[@LINE+1]]:2: error: loop without a constant bound: scrcc (and the verifier) need a condition that compares a counter with a value that is constant once calls are inlined, like 'for (i = 0; i < len; i++)' with a constant 'len', or counts a constant down to zero
	for (i = 0; i < len; i++)
		sum += w[i];
	return sum;
}

SEC("xdp")
int xdp_options(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct iphdr *iph = data + sizeof(struct ethhdr);
	__u32 zero = 0, words[10] = {};
	__u64 *total;
	__u8 left;

	if ((void *)(iph + 1) > data_end)
		return XDP_PASS;
	total = bpf_map_lookup_elem(&option_sum, &zero);
	if (!total)
		return XDP_PASS;
	*total += sum_words(words, iph->ihl - 5);
	left = iph->ihl;
	// CHECK: reject-loop-bound-from-packet.c:[[@LINE+1]]:2: error: loop without a constant bound
	while (left--)
		*total += 1;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
