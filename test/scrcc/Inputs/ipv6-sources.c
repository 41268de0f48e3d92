/* Per-source counters keyed by packet bytes the program never loads
 * itself: an IPv6 source copied into a key with memcpy, and an IPv4
 * source/destination pair passed to the map helper straight from the
 * header. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct in6_addr);
	__type(value, __u64);
} v6_sources SEC(".maps");

struct addr_pair {
	__be32 saddr, daddr;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct addr_pair);
	__type(value, __u64);
} v4_pairs SEC(".maps");

SEC("xdp")
int xdp_count_v6(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;
	struct ipv6hdr *ip6h = (void *)(eth + 1);
	struct in6_addr src;
	__u64 one = 1, *n;

	if (eth + 1 > (struct ethhdr *)data_end)
		return XDP_PASS;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = (void *)(eth + 1);

		if ((void *)(iph + 1) > data_end)
			return XDP_PASS;
		/* saddr and daddr are adjacent: the key is 8 bytes of header. */
		n = bpf_map_lookup_elem(&v4_pairs, &iph->saddr);
		if (n)
			*n += 1;
		else
			bpf_map_update_elem(&v4_pairs, &iph->saddr, &one, BPF_ANY);
		return XDP_PASS;
	}
	if ((void *)(ip6h + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IPV6))
		return XDP_PASS;
	__builtin_memcpy(&src, &ip6h->saddr, sizeof(src));
	n = bpf_map_lookup_elem(&v6_sources, &src);
	if (n)
		*n += 1;
	else
		bpf_map_update_elem(&v6_sources, &src, &one, BPF_NOEXIST);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
