// SPDX-License-Identifier: GPL-2.0
/*
 * port_filter.bpf.c - drop traffic to ports an operator's rule table names,
 * and remember who sent it; written in the style of the xdp-tutorial and
 * xdp-tools programs (parsing helpers with a header cursor, a VLAN loop,
 * `goto out` to one exit that records per-verdict statistics).
 *
 * Every frame is parsed through up to two VLAN tags, IPv4 (with options)
 * and UDP or TCP. A rule in `filter_rules` for the L4 protocol and the
 * destination port drops the frame; the source is then counted in
 * `blocked_sources`. Malformed headers are dropped and logged with
 * bpf_printk. Every verdict is counted, with its bytes, in the pinned
 * `xdp_stats_map` (one entry per XDP action, as in the xdp-tutorial).
 *
 * State:    blocked_sources BPF_MAP_TYPE_LRU_HASH __be32 saddr
 *                           -> struct blocked (packets, bytes, last port)
 *           xdp_stats_map   BPF_MAP_TYPE_ARRAY    __u32 action
 *                           -> struct datarec (rx_packets, rx_bytes), pinned
 * Config:   filter_rules    BPF_MAP_TYPE_HASH     struct rule_key
 *                           { proto, dport } -> struct rule { action };
 *                           filled from user space, only read here.
 * Verdicts: XDP_PASS for non-IPv4 traffic, other L4 protocols and ports
 *           without a rule; the rule's action (XDP_DROP or XDP_PASS) for
 *           ports with one; XDP_DROP for malformed IPv4, UDP or TCP headers.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/udp.h>
#include <linux/tcp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#ifndef VLAN_MAX_DEPTH
#define VLAN_MAX_DEPTH 2
#endif

struct hdr_cursor {
	void *pos;
};

struct vlan_hdr {
	__be16 h_vlan_TCI;
	__be16 h_vlan_encapsulated_proto;
};

struct rule_key {
	__u8 proto;
	__u8 pad;
	__be16 dport;
};

struct rule {
	__u32 action;
};

struct blocked {
	__u64 packets;
	__u64 bytes;
	__u16 last_port;
};

struct datarec {
	__u64 rx_packets;
	__u64 rx_bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct rule_key);
	__type(value, struct rule);
	__uint(max_entries, 256);
} filter_rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, __be32);
	__type(value, struct blocked);
	__uint(max_entries, 65536);
} blocked_sources SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct datarec);
	__uint(max_entries, XDP_REDIRECT + 1);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xdp_stats_map SEC(".maps");

static __always_inline int proto_is_vlan(__u16 h_proto)
{
	return !!(h_proto == bpf_htons(ETH_P_8021Q) ||
		  h_proto == bpf_htons(ETH_P_8021AD));
}

static __always_inline int parse_ethhdr(struct hdr_cursor *nh, void *data_end,
					struct ethhdr **ethhdr)
{
	struct ethhdr *eth = nh->pos;
	struct vlan_hdr *vlh;
	__u16 h_proto;
	int i;

	if ((void *)(eth + 1) > data_end)
		return -1;

	nh->pos = eth + 1;
	*ethhdr = eth;
	vlh = nh->pos;
	h_proto = eth->h_proto;

#pragma unroll
	for (i = 0; i < VLAN_MAX_DEPTH; i++) {
		if (!proto_is_vlan(h_proto))
			break;
		if ((void *)(vlh + 1) > data_end)
			break;
		h_proto = vlh->h_vlan_encapsulated_proto;
		vlh++;
	}

	nh->pos = vlh;
	return h_proto; /* network byte order */
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

static __always_inline int parse_udphdr(struct hdr_cursor *nh, void *data_end,
					struct udphdr **udphdr)
{
	struct udphdr *h = nh->pos;

	if ((void *)(h + 1) > data_end)
		return -1;
	nh->pos = h + 1;
	*udphdr = h;
	return bpf_ntohs(h->len) - sizeof(struct udphdr);
}

static __always_inline int parse_tcphdr(struct hdr_cursor *nh, void *data_end,
					struct tcphdr **tcphdr)
{
	struct tcphdr *h = nh->pos;
	int len;

	if ((void *)(h + 1) > data_end)
		return -1;
	len = h->doff * 4;
	if (len < (int)sizeof(*h))
		return -1;
	if (nh->pos + len > data_end)
		return -1;
	nh->pos += len;
	*tcphdr = h;
	return len;
}

static __always_inline __u32 xdp_stats_record_action(struct xdp_md *ctx,
						      __u32 action)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct datarec *rec;

	if (action > XDP_REDIRECT)
		return XDP_ABORTED;

	rec = bpf_map_lookup_elem(&xdp_stats_map, &action);
	if (!rec)
		return XDP_ABORTED;

	rec->rx_packets++;
	rec->rx_bytes += (data_end - data);
	return action;
}

SEC("xdp")
int xdp_port_filter(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	__u32 action = XDP_PASS;
	struct rule_key key = {};
	struct hdr_cursor nh;
	struct ethhdr *eth;
	struct iphdr *iph;
	struct udphdr *udph;
	struct tcphdr *tcph;
	struct blocked *b;
	struct rule *rule;
	int eth_type, ip_type;

	nh.pos = data;
	eth_type = parse_ethhdr(&nh, data_end, &eth);
	if (eth_type != bpf_htons(ETH_P_IP))
		goto out;

	ip_type = parse_iphdr(&nh, data_end, &iph);
	if (ip_type < 0) {
		bpf_printk("port_filter: malformed IPv4 header\n");
		action = XDP_DROP;
		goto out;
	}

	if (ip_type == IPPROTO_UDP) {
		if (parse_udphdr(&nh, data_end, &udph) < 0) {
			bpf_printk("port_filter: malformed UDP header\n");
			action = XDP_DROP;
			goto out;
		}
		key.dport = udph->dest;
	} else if (ip_type == IPPROTO_TCP) {
		if (parse_tcphdr(&nh, data_end, &tcph) < 0) {
			bpf_printk("port_filter: malformed TCP header\n");
			action = XDP_DROP;
			goto out;
		}
		key.dport = tcph->dest;
	} else {
		goto out;
	}
	key.proto = ip_type;

	rule = bpf_map_lookup_elem(&filter_rules, &key);
	if (!rule)
		goto out;
	action = rule->action;
	if (action != XDP_DROP)
		goto out;

	b = bpf_map_lookup_elem(&blocked_sources, &iph->saddr);
	if (b) {
		b->packets++;
		b->bytes += data_end - data;
		b->last_port = bpf_ntohs(key.dport);
	} else {
		struct blocked first;

		/* No stack garbage in the padding the control plane reads. */
		__builtin_memset(&first, 0, sizeof(first));
		first.packets = 1;
		first.bytes = data_end - data;
		first.last_port = bpf_ntohs(key.dport);
		bpf_map_update_elem(&blocked_sources, &iph->saddr, &first,
				    BPF_ANY);
	}
out:
	return xdp_stats_record_action(ctx, action);
}

char _license[] SEC("license") = "GPL";
