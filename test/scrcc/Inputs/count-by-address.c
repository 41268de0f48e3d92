/* Counts IPv4 packets per address; which address is chosen at build time:
 * -DCOUNT_BY_DADDR counts by destination, -DCOUNT_BY_SADDR by source.
 * Without either it does not compile, so a test can tell whether the
 * compiler arguments reached scrcc. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#if defined(COUNT_BY_DADDR)
#define COUNTED_ADDRESS daddr
#elif defined(COUNT_BY_SADDR)
#define COUNTED_ADDRESS saddr
#else
#error "define COUNT_BY_SADDR or COUNT_BY_DADDR"
#endif

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} address_counts SEC(".maps");

SEC("xdp")
int count_by_address(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);
	__u64 one = 1, *count;

	if ((void *)(iph + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	__u32 addr = iph->COUNTED_ADDRESS;
	count = bpf_map_lookup_elem(&address_counts, &addr);
	if (count)
		*count += 1;
	else
		bpf_map_update_elem(&address_counts, &addr, &one, BPF_ANY);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
