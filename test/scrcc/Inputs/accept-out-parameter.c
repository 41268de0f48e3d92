/* Input of accept-out-parameter.test (the checks and why are there). */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct pair_key {
	__u32 saddr;
	__u32 daddr;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct pair_key);
	__type(value, __u64);
} pairs SEC(".maps");

static int parse_pair(void *data, void *data_end, struct pair_key *key)
{
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);

	if ((void *)(iph + 1) > data_end)
		return -1;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return -1;
	key->saddr = iph->saddr;
	key->daddr = iph->daddr;
	return 0;
}

SEC("xdp")
int count_pairs(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct pair_key key = {};
	__u64 one = 1, *n;

	if (parse_pair(data, data_end, &key) < 0)
		return XDP_PASS;
	n = bpf_map_lookup_elem(&pairs, &key);
	if (n)
		*n += 1;
	else
		bpf_map_update_elem(&pairs, &key, &one, BPF_ANY);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
