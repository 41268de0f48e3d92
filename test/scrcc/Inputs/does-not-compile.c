/* A syntax error: scrcc must report Clang's diagnostic and stop. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int broken(struct xdp_md *ctx)
{
	return XDP_PASS
}
