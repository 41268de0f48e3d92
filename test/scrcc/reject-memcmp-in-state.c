// A state update that depends on a memcmp of packet bytes is refused: the
// history carries values the sequencer computes, not the outcome of a
// byte comparison (compare the fields instead). Outside the slice (the
// verdict) the same memcmp is fine: accept-builtins.test.
// RUN: rm -rf %t.out
// RUN: not scrcc %s --cores 4 -o %t.out 2>&1 | FileCheck %s
// RUN: not test -e %t.out
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

const volatile __u8 our_mac[ETH_ALEN] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} to_us SEC(".maps");

SEC("xdp")
int xdp_count_to_us(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;
	__u32 zero = 0;
	__u64 *n;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	// CHECK: reject-memcmp-in-state.c:[[@LINE+3]]:6: error: state depends on packet bytes scrcc cannot describe to the sequencer (read after the program wrote the packet, at an offset it cannot compute, or compared in bulk by memcmp)
	// CHECK: reject-memcmp-in-state.c:[[@LINE+3]]:3: note: control dependence: may skip the statement at reject-memcmp-in-state.c:[[@LINE+5]]:2
	// CHECK: reject-memcmp-in-state.c:[[@LINE+5]]:3: note: state dependence: store to map `to_us` value
	if (__builtin_memcmp(eth->h_dest, (const void *)our_mac, ETH_ALEN))
		return XDP_PASS;
	n = bpf_map_lookup_elem(&to_us, &zero);
	if (n)
		*n += 1;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
