/* Moves DNS to a local resolver port: UDP datagrams to port 53 are
 * rewritten to port 5353 (checksum updated incrementally, RFC 1624) and
 * passed, unless the source is in a block list a control plane fills;
 * non-IPv4 frames pass untouched. The program keeps no state: under SCR
 * each core only strips the sequencer's prefix and runs it. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define DNS_PORT 53
#define RESOLVER_PORT 5353

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u8);
} blocked_resolvers SEC(".maps");

static __always_inline __u16 csum_replace2(__u16 csum, __be16 old, __be16 new)
{
	__u32 sum = (__u16)~csum + (__u16)~old + (__u16)new;

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

SEC("xdp")
int xdp_dns_redirect_port(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;
	struct iphdr *iph;
	struct udphdr *uh;
	__be16 new_port = bpf_htons(RESOLVER_PORT);

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	iph = (void *)(eth + 1);
	if ((void *)(iph + 1) > data_end)
		return XDP_DROP;
	if (iph->protocol != IPPROTO_UDP || iph->ihl != 5)
		return XDP_PASS;
	uh = (void *)(iph + 1);
	if ((void *)(uh + 1) > data_end)
		return XDP_DROP;
	if (uh->dest != bpf_htons(DNS_PORT))
		return XDP_PASS;
	if (bpf_map_lookup_elem(&blocked_resolvers, &iph->saddr))
		return XDP_DROP;
	if (uh->check)
		uh->check = csum_replace2(uh->check, uh->dest, new_port);
	uh->dest = new_port;
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
