/* Input of accept-state-update-in-return.test: the state update is a helper
 * call inside the entry's return expression. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} packets SEC(".maps");

SEC("xdp")
int count_in_return(struct xdp_md *ctx)
{
	__u32 zero = 0;
	__u64 one = 1;

	return bpf_map_update_elem(&packets, &zero, &one, BPF_ANY) ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
