/* Input of accept-lru-lookup.test (the checks and why are there). */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 128);
	__type(key, __u32);
	__type(value, __u8);
} allowed SEC(".maps");

SEC("xdp")
int allow_known_sources(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);

	if ((void *)(iph + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	__u32 saddr = iph->saddr;
	__u8 *known = bpf_map_lookup_elem(&allowed, &saddr);

	return known ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
