/* Drops ICMP echo requests and IPv4 fragments, passes the rest, and
 * counts packets and bytes per verdict the way the XDP tutorial's
 * xdp_stats_record_action() does: the stats array is keyed by the
 * program's own verdict, and the byte count is the frame length read as
 * `ctx->data_end - ctx->data`. A second array buckets frames by size,
 * computed from the packet pointers. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#ifndef XDP_ACTION_MAX
#define XDP_ACTION_MAX (XDP_REDIRECT + 1)
#endif

#define SIZE_BUCKETS 8
#define ICMP_ECHO 8

/* As in the tutorial's parsing_helpers.h (linux/icmp.h pulls in libc). */
struct icmphdr_common {
	__u8 type;
	__u8 code;
	__sum16 cksum;
};

struct datarec {
	__u64 rx_packets;
	__u64 rx_bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XDP_ACTION_MAX);
	__type(key, __u32);
	__type(value, struct datarec);
} xdp_stats_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SIZE_BUCKETS);
	__type(key, __u32);
	__type(value, __u64);
} frame_sizes SEC(".maps");

static __always_inline int parse_ethhdr(void *data, void *data_end)
{
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return -1;
	return eth->h_proto;
}

static __always_inline __u32 xdp_stats_record_action(struct xdp_md *ctx,
						     __u32 action)
{
	struct datarec *rec;

	if (action >= XDP_ACTION_MAX)
		return XDP_ABORTED;
	rec = bpf_map_lookup_elem(&xdp_stats_map, &action);
	if (!rec)
		return XDP_ABORTED;
	rec->rx_packets++;
	rec->rx_bytes += (ctx->data_end - ctx->data);
	return action;
}

SEC("xdp")
int xdp_icmp_filter(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	__u32 action = XDP_PASS, bucket;
	struct icmphdr_common *icmph;
	struct iphdr *iph;
	__u64 len, *n;
	int proto;

	len = (void *)(long)ctx->data_end - (void *)(long)ctx->data;
	bucket = len >> 8;
	if (bucket >= SIZE_BUCKETS)
		bucket = SIZE_BUCKETS - 1;
	n = bpf_map_lookup_elem(&frame_sizes, &bucket);
	if (n)
		*n += 1;

	proto = parse_ethhdr(data, data_end);
	if (proto < 0) {
		action = XDP_DROP;
	} else if (proto == bpf_htons(ETH_P_IP)) {
		iph = data + sizeof(struct ethhdr);
		if ((void *)(iph + 1) > data_end) {
			action = XDP_DROP;
		} else if (iph->frag_off & bpf_htons(0x3fff)) {
			action = XDP_DROP;
		} else if (iph->protocol == IPPROTO_ICMP && iph->ihl == 5) {
			icmph = (void *)(iph + 1);
			if ((void *)(icmph + 1) > data_end)
				action = XDP_DROP;
			else if (icmph->type == ICMP_ECHO)
				action = XDP_DROP;
		}
	}
	return xdp_stats_record_action(ctx, action);
}

char _license[] SEC("license") = "GPL";
