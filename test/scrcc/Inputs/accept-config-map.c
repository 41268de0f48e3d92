/* Input of accept-config-map.test (the checks and why are there). */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} min_length SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} long_frames SEC(".maps");

SEC("xdp")
int count_long_frames(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 zero = 0;
	__u32 *min = bpf_map_lookup_elem(&min_length, &zero);
	__u64 *n = bpf_map_lookup_elem(&long_frames, &zero);

	if (!min || !n)
		return XDP_PASS;
	if (data_end - data >= *min)
		*n += 1;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
