// SPDX-License-Identifier: GPL-2.0
/* syn_guard: drops TCP SYN floods per source, in the style of the
 * xdp-tutorial's packet parsers. Each IPv4 source's SYNs are counted in an
 * LRU table; a source that has sent more than the configured limit
 * (config[0], set by the control plane; 0: no limit) is dropped until
 * the entry is evicted. Other traffic passes. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct hdr_cursor {
	void *pos;
};

struct syn_stats {
	__u64 syns;
	__u64 dropped;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct syn_stats);
} syn_sources SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} config SEC(".maps");

static __always_inline int parse_ethhdr(struct hdr_cursor *nh, void *data_end,
					struct ethhdr **ethhdr)
{
	struct ethhdr *eth = nh->pos;

	if ((void *)(eth + 1) > data_end)
		return -1;
	nh->pos = eth + 1;
	*ethhdr = eth;
	return eth->h_proto;
}

static __always_inline int parse_iphdr(struct hdr_cursor *nh, void *data_end,
				       struct iphdr **iphdr)
{
	struct iphdr *iph = nh->pos;
	int hdrsize;

	if ((void *)(iph + 1) > data_end)
		return -1;
	hdrsize = iph->ihl * 4;
	if (hdrsize < (int)sizeof(*iph))
		return -1;
	if (nh->pos + hdrsize > data_end)
		return -1;
	nh->pos += hdrsize;
	*iphdr = iph;
	return iph->protocol;
}

static __always_inline int parse_tcphdr(struct hdr_cursor *nh, void *data_end,
					struct tcphdr **tcphdr)
{
	struct tcphdr *tcph = nh->pos;

	if ((void *)(tcph + 1) > data_end)
		return -1;
	nh->pos = tcph + 1;
	*tcphdr = tcph;
	return 0;
}

SEC("xdp")
int xdp_syn_guard(struct xdp_md *xdp)
{
	void *data_end = (void *)(long)xdp->data_end;
	struct hdr_cursor nh = {.pos = (void *)(long)xdp->data};
	struct ethhdr *eth;
	struct iphdr *iph;
	struct tcphdr *tcph;
	__u32 zero = 0;

	if (parse_ethhdr(&nh, data_end, &eth) != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	if (parse_iphdr(&nh, data_end, &iph) != IPPROTO_TCP)
		return XDP_PASS;
	if (parse_tcphdr(&nh, data_end, &tcph) < 0)
		return XDP_PASS;
	if (!tcph->syn || tcph->ack)
		return XDP_PASS;

	__u32 saddr = iph->saddr;
	struct syn_stats *s = bpf_map_lookup_elem(&syn_sources, &saddr);
	if (!s) {
		struct syn_stats fresh = {.syns = 1};

		bpf_map_update_elem(&syn_sources, &saddr, &fresh, BPF_NOEXIST);
		return XDP_PASS;
	}
	s->syns++;
	__u64 *limit = bpf_map_lookup_elem(&config, &zero);
	if (limit && *limit && s->syns > *limit) {
		s->dropped++;
		return XDP_DROP;
	}
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
