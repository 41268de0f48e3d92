// SPDX-License-Identifier: GPL-2.0
/*
 * DDoS mitigator with a control-plane block list, in the style of the SCR
 * paper authors' single-threaded version of Polycube's ddosmitigator
 * (src/services/pcn-ddosmitigator/src/Ddosmitigator_dp.c).
 *
 * The control plane fills `srcblacklist` with the IPv4 source addresses to
 * block (value: the drops counted so far, usually 0). For every IPv4
 * packet, optionally behind one 802.1Q/802.1ad tag, the program looks the
 * source up; a listed source is dropped and its entry's counter
 * incremented, as is the global drop counter. Everything else passes.
 * Polycube keeps per-CPU tables; a single-threaded program keeps one copy.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define MAX_BLOCKED_SOURCES 1024

#ifndef ETH_P_8021AD
#define ETH_P_8021AD 0x88A8
#endif

struct eth_hdr {
	__u8 dst[6];
	__u8 src[6];
	__be16 proto;
} __attribute__((packed));

struct vlan_hdr {
	__be16 tci;
	__be16 encapsulated_proto;
};

/* Source address (network order) -> packets dropped from it. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_BLOCKED_SOURCES);
	__type(key, __u32);
	__type(value, __u64);
} srcblacklist SEC(".maps");

/* Every packet this program dropped. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, __u64);
} dropcnt SEC(".maps");

SEC("xdp")
int ddos_blocklist(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct eth_hdr *eth = data;
	__u32 offset = sizeof(*eth);
	__u16 ethtype;

	if (data + sizeof(*eth) > data_end)
		goto DROP;

	ethtype = eth->proto;
	if (ethtype == bpf_htons(ETH_P_8021Q) ||
	    ethtype == bpf_htons(ETH_P_8021AD)) {
		struct vlan_hdr *vlan = data + offset;

		if ((void *)(vlan + 1) > data_end)
			goto DROP;
		ethtype = vlan->encapsulated_proto;
		offset += sizeof(*vlan);
	}

	switch (ethtype) {
	case bpf_htons(ETH_P_IP):
		goto IP;
	default:
		goto EOP;
	}

IP:;
	struct iphdr *iph = data + offset;

	if ((void *)(iph + 1) > data_end)
		goto DROP;

	__u32 saddr = iph->saddr;
	__u64 *cnt = bpf_map_lookup_elem(&srcblacklist, &saddr);

	if (cnt) {
		*cnt += 1;
		goto DROP;
	}

EOP:
	return XDP_PASS;

DROP:;
	int zero = 0;
	__u64 *value = bpf_map_lookup_elem(&dropcnt, &zero);

	if (value)
		*value += 1;
	return XDP_DROP;
}

char _license[] SEC("license") = "GPL";
