/* Header accessors that return the header or NULL, as many XDP programs
 * write them (one function per header, each checking its own bounds), and
 * a macro that picks the next header or NULL. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, __u16);
	__type(value, __u64);
	__uint(max_entries, 1024);
} port_bytes SEC(".maps");

#define NEXT_HDR(hdr, end) ({                                   \
	void *__next = (void *)((hdr) + 1);                     \
	__next <= (end) ? (hdr) : NULL;                         \
})

static __always_inline struct iphdr *ipv4_header(void *data, void *data_end)
{
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);

	if ((void *)(eth + 1) > data_end)
		return NULL;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return NULL;
	if ((void *)(iph + 1) > data_end)
		return NULL;
	return iph;
}

SEC("xdp")
int count_udp_port_bytes(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct iphdr *iph;
	struct udphdr *udp;
	__u64 *bytes, len;
	__u16 port;

	iph = ipv4_header(data, data_end);
	if (!iph)
		return XDP_PASS;
	if (iph->protocol != IPPROTO_UDP || iph->ihl != 5)
		return XDP_PASS;
	udp = NEXT_HDR((struct udphdr *)(iph + 1), data_end);
	if (udp == NULL)
		return XDP_DROP;

	port = bpf_ntohs(udp->dest);
	len = data_end - data;
	bytes = bpf_map_lookup_elem(&port_bytes, &port);
	if (bytes)
		*bytes += len;
	else
		bpf_map_update_elem(&port_bytes, &port, &len, BPF_ANY);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
