/* Input of accept-ihl-offset.test (the checks and why are there). */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u16);
	__type(value, __u64);
} per_port SEC(".maps");

SEC("xdp")
int count_udp_ports(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);
	__u64 one = 1, *n;

	if ((void *)(iph + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP) || iph->protocol != IPPROTO_UDP)
		return XDP_PASS;
	if (iph->ihl < 5)
		return XDP_PASS;
	struct udphdr *udp = (void *)iph + iph->ihl * 4;
	if ((void *)(udp + 1) > data_end)
		return XDP_PASS;
	__u16 port = bpf_ntohs(udp->dest);
	n = bpf_map_lookup_elem(&per_port, &port);
	if (n)
		*n += 1;
	else
		bpf_map_update_elem(&per_port, &port, &one, BPF_ANY);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
