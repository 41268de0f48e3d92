/* Input of accept-address-bytes.test (the checks and why are there). */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u64);
} by_first_byte SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} by_second_byte SEC(".maps");

SEC("xdp")
int address_bytes(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);
	__u64 one = 1, *n;
	__u32 first, second;

	if ((void *)(iph + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	/* __be32 read on a little-endian CPU: the low byte is the first one
	 * on the wire, the second byte sits at bits 8..15. */
	first = iph->saddr & 0xff;
	second = iph->saddr & 0xff00;
	n = bpf_map_lookup_elem(&by_first_byte, &first);
	if (n)
		*n += 1;
	n = bpf_map_lookup_elem(&by_second_byte, &second);
	if (n)
		*n += 1;
	else
		bpf_map_update_elem(&by_second_byte, &second, &one, BPF_ANY);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
