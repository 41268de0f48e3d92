// SPDX-License-Identifier: GPL-2.0
/*
 * portknock.bpf.c - port-knocking firewall (SCR paper, Appendix C, Figure 12).
 *
 * Every IPv4 source address runs its own copy of a small state machine:
 *
 *   CLOSED_1 --TCP dport 7000--> CLOSED_2 --TCP dport 8000--> CLOSED_3
 *   CLOSED_3 --TCP dport 9000--> OPEN
 *   OPEN stays OPEN for ever; any other TCP packet from a source that is not
 *   OPEN sends it back to CLOSED_1.
 *
 * State:    knock_state  BPF_MAP_TYPE_HASH  __u32 saddr (network order)
 *                                           -> __u32 knock state.
 *           A source without an entry is in CLOSED_1; entries are only
 *           written when the state changes.
 * Verdicts: XDP_PASS for everything that is not IPv4/TCP (and for truncated
 *           headers, which the stack will discard anyway);
 *           XDP_PASS for TCP packets whose source is OPEN after this packet
 *           (so the final knock itself goes through), XDP_DROP for every
 *           other TCP packet, knocks included.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define KNOCK_PORT_1 7000
#define KNOCK_PORT_2 8000
#define KNOCK_PORT_3 9000

enum knock_state {
	CLOSED_1 = 0,
	CLOSED_2 = 1,
	CLOSED_3 = 2,
	OPEN = 3,
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u32);
} knock_state SEC(".maps");

/* The transition function of Figure 12. */
static __u32 next_knock_state(__u32 state, __u16 dport)
{
	if (state == CLOSED_1 && dport == KNOCK_PORT_1)
		return CLOSED_2;
	if (state == CLOSED_2 && dport == KNOCK_PORT_2)
		return CLOSED_3;
	if (state == CLOSED_3 && dport == KNOCK_PORT_3)
		return OPEN;
	if (state == OPEN)
		return OPEN;
	return CLOSED_1;
}

SEC("xdp")
int port_knocking(struct xdp_md *ctx)
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
	if (iph->protocol != IPPROTO_TCP)
		return XDP_PASS;
	if (iph->ihl < 5)
		return XDP_PASS;

	struct tcphdr *tcp = (void *)iph + iph->ihl * 4;
	if ((void *)(tcp + 1) > data_end)
		return XDP_PASS;

	__u32 saddr = iph->saddr;
	__u16 dport = bpf_ntohs(tcp->dest);

	__u32 state = CLOSED_1;
	__u32 *known = bpf_map_lookup_elem(&knock_state, &saddr);
	if (known)
		state = *known;

	__u32 new_state = next_knock_state(state, dport);
	if (new_state != state)
		bpf_map_update_elem(&knock_state, &saddr, &new_state, BPF_ANY);

	if (new_state == OPEN)
		return XDP_PASS;
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
