/* Input of in-place-update.test: updates of a key just looked up. The
 * pointers named hit_* must become writes through the pointer, those named
 * miss_* must not (each says why). */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct pair {
	__u32 a, b;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u32);
} any_hash SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u64);
} exist_array SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u32);
} noexist_hash SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u32);
} key_moves SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u32);
} used_after SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u32);
} in_loop SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u32);
} deleted_between SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u32);
} lru SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, struct pair);
} struct_value SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u32);
} other_key SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u32);
} pointer_moves SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u32);
} other_map SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u32);
} wider_value SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u32);
} copied SEC(".maps");

static void forget(__u32 k)
{
	bpf_map_delete_elem(&deleted_between, &k);
}

static __u32 step(__u32 v)
{
	return v < 7 ? v + 1 : 0;
}

static void update_all(__u32 k)
{
	/* The pattern of examples/portknock.bpf.c. */
	__u32 v = 0;
	__u32 *hit_any = bpf_map_lookup_elem(&any_hash, &k);
	if (hit_any)
		v = *hit_any;
	__u32 nv = step(v);
	if (nv != v)
		bpf_map_update_elem(&any_hash, &k, &nv, BPF_ANY);

	/* BPF_EXIST succeeds on an existing key: the same. */
	__u32 slot = k & 7;
	__u64 *hit_exist = bpf_map_lookup_elem(&exist_array, &slot);
	__u64 total = hit_exist ? *hit_exist + 1 : 1;
	bpf_map_update_elem(&exist_array, &slot, &total, BPF_EXIST);

	/* BPF_NOEXIST fails where the entry exists: not the same. */
	__u32 one = 1;
	__u32 *miss_noexist = bpf_map_lookup_elem(&noexist_hash, &k);
	if (!miss_noexist)
		bpf_map_update_elem(&noexist_hash, &k, &one, BPF_NOEXIST);

	/* The key changes between the lookup and the update. */
	__u32 k2 = k;
	__u32 *miss_key_moves = bpf_map_lookup_elem(&key_moves, &k2);
	__u32 c2 = miss_key_moves ? *miss_key_moves : 0;
	k2++;
	bpf_map_update_elem(&key_moves, &k2, &c2, BPF_ANY);

	/* The pointer is read after the update: it would see the new value. */
	__u32 c3 = 5;
	__u32 *miss_used_after = bpf_map_lookup_elem(&used_after, &k);
	bpf_map_update_elem(&used_after, &k, &c3, BPF_ANY);
	if (miss_used_after && *miss_used_after == 5)
		bpf_map_delete_elem(&used_after, &k);

	/* The update runs more than once per lookup. */
	__u32 c4 = 0;
	__u32 *miss_in_loop = bpf_map_lookup_elem(&in_loop, &k);
	for (int i = 0; i < 2; i++) {
		c4 += i;
		bpf_map_update_elem(&in_loop, &k, &c4, BPF_ANY);
	}
	(void)miss_in_loop;

	/* A called function deletes the key in between. */
	__u32 c5 = 3;
	__u32 *miss_deleted = bpf_map_lookup_elem(&deleted_between, &k);
	forget(k);
	if (miss_deleted)
		bpf_map_update_elem(&deleted_between, &k, &c5, BPF_ANY);

	/* An LRU map's update may evict another entry. */
	__u32 c6 = 1;
	__u32 *miss_lru = bpf_map_lookup_elem(&lru, &k);
	if (miss_lru)
		bpf_map_update_elem(&lru, &k, &c6, BPF_ANY);

	/* A struct value is not written with one store. */
	struct pair pv = {1, 2};
	struct pair *miss_struct = bpf_map_lookup_elem(&struct_value, &k);
	if (miss_struct)
		bpf_map_update_elem(&struct_value, &k, &pv, BPF_ANY);

	/* Another key. */
	__u32 k3 = k ^ 1, c7 = 2;
	__u32 *miss_other_key = bpf_map_lookup_elem(&other_key, &k);
	if (miss_other_key)
		bpf_map_update_elem(&other_key, &k3, &c7, BPF_ANY);

	/* The pointer is assigned after the lookup. */
	__u32 c8 = 4;
	__u32 *miss_pointer_moves = bpf_map_lookup_elem(&pointer_moves, &k);
	if (!miss_pointer_moves)
		miss_pointer_moves = &c8;
	bpf_map_update_elem(&pointer_moves, &k, &c8, BPF_ANY);

	/* Another map. */
	__u32 c9 = 6;
	__u32 *miss_other_map = bpf_map_lookup_elem(&other_map, &k);
	if (miss_other_map)
		bpf_map_update_elem(&any_hash, &k, &c9, BPF_ANY);

	/* A value of another type than the map's. */
	__u64 wide = 9;
	__u32 *miss_wider = bpf_map_lookup_elem(&wider_value, &k);
	if (miss_wider)
		bpf_map_update_elem(&wider_value, &k, &wide, BPF_ANY);

	/* A copy of the pointer outlives the update. */
	__u32 c10 = 8;
	__u32 *miss_copied = bpf_map_lookup_elem(&copied, &k);
	__u32 *alias = miss_copied;
	bpf_map_update_elem(&copied, &k, &c10, BPF_ANY);
	if (alias && *alias == 8)
		bpf_map_delete_elem(&copied, &k);
}

SEC("xdp")
int in_place(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);

	if ((void *)(iph + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	update_all(iph->saddr);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
