/* Input of accept-return-status.test (the checks and why are there). */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

/* Configuration, only read: a non-zero value bypasses the UDP check. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} bypass SEC(".maps");

/* -1: not IPv4; 1: bypassed (decided by state, not by the packet);
 * 0: a UDP packet. Every path that returns a value >= 0 passed the
 * Ethernet and IPv4 checks; only the `return 0` path passed the UDP check. */
static int classify(void *data, void *data_end, __u32 *saddr)
{
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);
	__u32 zero = 0;
	__u32 *on;

	if ((void *)(eth + 1) > data_end)
		return -1;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return -1;
	if ((void *)(iph + 1) > data_end)
		return -1;
	*saddr = iph->saddr;
	on = bpf_map_lookup_elem(&bypass, &zero);
	if (on && *on)
		return 1;
	if (iph->protocol != IPPROTO_UDP)
		return -1;
	return 0;
}

/* A status squeezed through an unsigned byte: -1 becomes 255, so
 * `st8 < 128` holds for 0 and 1 only. */
static __u8 classify8(void *data, void *data_end, __u32 *saddr)
{
	return classify(data, data_end, saddr);
}

SEC("xdp")
int count_status(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 saddr = 0;
	__u64 one = 1, *n;
	__u8 st8 = classify8(data, data_end, &saddr);

	if (!(st8 < 128))
		return XDP_PASS;
	n = bpf_map_lookup_elem(&counts, &saddr);
	if (n)
		*n += 1;
	else
		bpf_map_update_elem(&counts, &saddr, &one, BPF_ANY);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
