// SPDX-License-Identifier: GPL-2.0
/*
 * lb.bpf.c - layer-4 load balancer with a connection table.
 *
 * TCP and UDP packets addressed to the service prefix vip_net/vip_mask are
 * spread over a pool of backends. The first packet of a flow (5-tuple)
 * picks a backend at random (bpf_get_prandom_u32()) and the choice is
 * remembered in the connection table, so every later packet of the flow goes
 * to the same backend. The packet is then rewritten for the chosen backend:
 * destination IPv4 address (with incremental IP and TCP/UDP checksum
 * updates) and Ethernet addresses (the backend's MAC becomes the destination,
 * the MAC the packet arrived for becomes the source), and sent back out of
 * the same interface.
 *
 * State:    lb_connections  BPF_MAP_TYPE_LRU_HASH  struct flow_key (5-tuple)
 *                                                  -> struct lb_conn
 *                                                     { backend, packets }.
 * Config:   backends  BPF_MAP_TYPE_ARRAY  __u32 index -> struct backend
 *                     { IPv4 address (network order), MAC }; filled from
 *                     user space, only read here. An all-zero address marks
 *                     an unused slot.
 *           vip_net, vip_mask (network order), backend_count (const volatile).
 * Verdicts: XDP_PASS for non-IPv4 traffic, traffic outside the service
 *           prefix, other IP protocols, IP fragments and truncated headers;
 *           XDP_DROP when the chosen backend slot is unused (the flow is
 *           not remembered then);
 *           XDP_TX with the rewritten packet otherwise.
 *
 * What it stresses in SCR: the read-only backend table must stay one shared
 * map; the random backend choice makes the PRNG part of the replicated
 * state (each new flow draws from it, on every replica, in packet order);
 * and the packet writes (MACs, address, checksums) depend on state but never
 * feed it, so they belong to the current packet only and never to the
 * replayed history.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

/* Fragment bits of iphdr.frag_off; not in the UAPI headers. */
#define IP_MF 0x2000
#define IP_OFFSET 0x1fff

#define MAX_BACKENDS 64

/* The service prefix: 192.168.0.0/16. */
const volatile __u32 vip_net = bpf_htonl(0xc0a80000);
const volatile __u32 vip_mask = bpf_htonl(0xffff0000);
/* Backends in use: slots 0 .. backend_count - 1 of `backends`. */
const volatile __u32 backend_count = 8;

struct flow_key {
	__u32 saddr;
	__u32 daddr;
	__u16 sport;
	__u16 dport;
	__u8 protocol;
	__u8 pad[3];
};

struct lb_conn {
	__u32 backend;
	__u32 pad;
	__u64 packets;
};

struct backend {
	__u32 addr;
	__u8 mac[ETH_ALEN];
	__u16 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1 << 16);
	__type(key, struct flow_key);
	__type(value, struct lb_conn);
} lb_connections SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct backend);
} backends SEC(".maps");

static __u16 csum_fold(__u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

/* Incremental checksum update for a 32-bit field changing from `from` to
 * `to` (RFC 1624: HC' = ~(~HC + ~m + m')). */
static void csum_replace4(__u16 *check, __u32 from, __u32 to)
{
	__u32 sum = (__u16)(~*check);
	sum += (~from >> 16) + (~from & 0xffff);
	sum += (to >> 16) + (to & 0xffff);
	*check = csum_fold(sum);
}

/* Returns the backend of the flow, choosing and remembering one for a new
 * flow; NULL if the chosen slot is unused or out of range. */
static struct backend *backend_for(struct flow_key *key)
{
	struct lb_conn *conn = bpf_map_lookup_elem(&lb_connections, key);
	if (conn) {
		conn->packets++;
		return bpf_map_lookup_elem(&backends, &conn->backend);
	}

	__u32 count = backend_count;
	if (count == 0 || count > MAX_BACKENDS)
		return NULL;
	__u32 index = bpf_get_prandom_u32() % count;
	struct backend *b = bpf_map_lookup_elem(&backends, &index);
	if (!b || b->addr == 0)
		return NULL;

	struct lb_conn fresh = {
		.backend = index,
		.packets = 1,
	};
	bpf_map_update_elem(&lb_connections, key, &fresh, BPF_ANY);
	return b;
}

SEC("xdp")
int l4_lb(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;

	struct iphdr *iph = (void *)(eth + 1);
	if ((void *)(iph + 1) > data_end)
		return XDP_PASS;
	if ((iph->daddr & vip_mask) != vip_net)
		return XDP_PASS;
	if (iph->ihl < 5)
		return XDP_PASS;
	/* Fragments would need reassembly to find their flow. */
	if (iph->frag_off & bpf_htons(IP_MF | IP_OFFSET))
		return XDP_PASS;

	struct flow_key key = {
		.saddr = iph->saddr,
		.daddr = iph->daddr,
		.protocol = iph->protocol,
	};
	void *l4 = (void *)iph + iph->ihl * 4;
	__u16 *l4_check;

	switch (iph->protocol) {
	case IPPROTO_TCP: {
		struct tcphdr *tcp = l4;
		if ((void *)(tcp + 1) > data_end)
			return XDP_PASS;
		key.sport = bpf_ntohs(tcp->source);
		key.dport = bpf_ntohs(tcp->dest);
		l4_check = &tcp->check;
		break;
	}
	case IPPROTO_UDP: {
		struct udphdr *udp = l4;
		if ((void *)(udp + 1) > data_end)
			return XDP_PASS;
		key.sport = bpf_ntohs(udp->source);
		key.dport = bpf_ntohs(udp->dest);
		/* A zero UDP checksum means "none"; keep it that way. */
		l4_check = udp->check ? &udp->check : NULL;
		break;
	}
	default:
		return XDP_PASS;
	}

	struct backend *b = backend_for(&key);
	if (!b)
		return XDP_DROP;

	/* The TCP/UDP checksum covers daddr through the pseudo-header. */
	__u32 old_daddr = iph->daddr;
	if (l4_check) {
		csum_replace4(l4_check, old_daddr, b->addr);
		if (iph->protocol == IPPROTO_UDP && *l4_check == 0)
			*l4_check = 0xffff;
	}
	csum_replace4(&iph->check, old_daddr, b->addr);
	iph->daddr = b->addr;

	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, b->mac, ETH_ALEN);
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
