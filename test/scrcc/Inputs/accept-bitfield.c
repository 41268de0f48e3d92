/* Input of accept-bitfield.test (the checks and why are there). */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} syn_counts SEC(".maps");

SEC("xdp")
int count_syns(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);
	struct tcphdr *tcp = (void *)(iph + 1);
	__u64 one = 1, *n;

	if ((void *)(tcp + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP) || iph->protocol != IPPROTO_TCP)
		return XDP_PASS;
	if (!tcp->syn || tcp->ack)
		return XDP_PASS;
	__u32 saddr = iph->saddr;
	n = bpf_map_lookup_elem(&syn_counts, &saddr);
	if (n)
		*n += 1;
	else
		bpf_map_update_elem(&syn_counts, &saddr, &one, BPF_ANY);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
