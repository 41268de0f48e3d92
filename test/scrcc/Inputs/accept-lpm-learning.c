/* Input of accept-lpm-learning.test: counts packets per source /24 in an
 * LPM trie the program itself fills, and drops sources whose /24 has sent
 * more than 20 packets. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct prefix_key {
	__u32 prefixlen;
	__u32 addr;
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 1024);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct prefix_key);
	__type(value, __u64);
} per_subnet SEC(".maps");

SEC("xdp")
int subnet_limit(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);
	struct prefix_key k;
	__u64 *n, one = 1;

	if ((void *)(iph + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	k.prefixlen = 32;
	k.addr = iph->saddr;
	n = bpf_map_lookup_elem(&per_subnet, &k);
	if (!n) {
		k.prefixlen = 24;
		k.addr = iph->saddr & bpf_htonl(0xffffff00);
		bpf_map_update_elem(&per_subnet, &k, &one, BPF_NOEXIST);
		return XDP_PASS;
	}
	*n += 1;
	return *n > 20 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
