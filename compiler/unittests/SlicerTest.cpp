//===- SlicerTest.cpp - The slice and the history fields it finds ---------===//

#include "ParsedProgram.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

using namespace scrcc;
using namespace scrcc::test;

namespace {

const char *CountBySource = R"(
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

SEC("xdp")
int count_sources(struct xdp_md *ctx)
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
	__u32 saddr = iph->saddr;
	__u64 *n = bpf_map_lookup_elem(&counts, &saddr);
	if (n) {
		*n += 1;
	} else {
		__u64 one = 1;
		bpf_map_update_elem(&counts, &saddr, &one, BPF_ANY);
	}
	return XDP_PASS;
}
)";

TEST(Slicer, MapKeyFromThePacketIsAPacketField) {
  ParsedProgram PP;
  ASSERT_TRUE(PP.analyse(std::string(XdpPrelude) + CountBySource));
  EXPECT_EQ(PP.Diags->errorCount(), 0u);
  ASSERT_EQ(PP.S.Fields.size(), 1u);
  const scr::Field &F = PP.S.Fields[0];
  EXPECT_EQ(F.K, scr::Field::Kind::Packet);
  EXPECT_EQ(F.Bits, 32u);
  ASSERT_TRUE(F.Offset);
  EXPECT_EQ(F.Offset->eval({}), 14u + 12u); // the IPv4 source address
  EXPECT_FALSE(F.Why.empty());              // --explain has a chain to print
  // Only IPv4 frames long enough for the header reach the update: the
  // relevance filter drops the others from the history.
  ASSERT_TRUE(PP.S.Relevance);
  std::vector<uint8_t> Ipv4(34, 0), Arp(34, 0), Short(20, 0);
  Ipv4[12] = 0x08, Ipv4[13] = 0x00;
  Arp[12] = 0x08, Arp[13] = 0x06;
  Short[12] = 0x08, Short[13] = 0x00;
  EXPECT_NE(PP.S.Relevance->eval(Ipv4), 0u);
  EXPECT_EQ(PP.S.Relevance->eval(Arp), 0u);
  EXPECT_EQ(PP.S.Relevance->eval(Short), 0u);
  // The map is written: it is the state each replica keeps a copy of.
  ASSERT_EQ(PP.P->Maps.size(), 1u);
  EXPECT_TRUE(PP.P->Maps.begin()->second.Written);
  EXPECT_FALSE(PP.R.Writes.empty());
}

TEST(Slicer, PacketConditionOnAStateUpdateIsAOneBitPredicate) {
  // Every frame is counted, UDP frames once more: the UDP test is no
  // relevance filter (every frame changes state) but one bit of history.
  ParsedProgram PP;
  ASSERT_TRUE(PP.analyse(std::string(XdpPrelude) + R"(
struct counters {
	__u64 frames;
	__u64 udp;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct counters);
} stats SEC(".maps");

SEC("xdp")
int count_udp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u32 zero = 0;
	struct counters *c = bpf_map_lookup_elem(&stats, &zero);
	if (!c)
		return XDP_PASS;
	c->frames += 1;
	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	struct iphdr *iph = (void *)(eth + 1);
	if ((void *)(iph + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto == bpf_htons(ETH_P_IP) && iph->protocol == 17)
		c->udp += 1;
	return XDP_PASS;
}
)"));
  ASSERT_FALSE(PP.S.Fields.empty());
  // Each condition on the way to the UDP update travels as one bit: the
  // two bounds checks (true on short frames) and the protocol test.
  std::vector<uint8_t> Udp(34, 0), Tcp(34, 0), Short(20, 0);
  Udp[12] = Tcp[12] = Short[12] = 0x08;
  Udp[23] = 17, Tcp[23] = 6;
  unsigned Protocol = 0, Bounds = 0;
  for (const scr::Field &F : PP.S.Fields) {
    ASSERT_EQ(F.K, scr::Field::Kind::Predicate) << F.Name;
    EXPECT_EQ(F.Bits, 1u);
    if (F.extract(Udp, 0) != F.extract(Tcp, 0)) {
      ++Protocol;
      EXPECT_EQ(F.extract(Udp, 0), 1u) << F.Name;
    } else {
      ++Bounds;
      EXPECT_EQ(F.extract(Udp, 0), 0u) << F.Name; // long enough
    }
  }
  EXPECT_EQ(Protocol, 1u);
  EXPECT_EQ(Bounds, 2u);
  bool ShortSeen = false;
  for (const scr::Field &F : PP.S.Fields)
    ShortSeen |= F.extract(Short, 0) != F.extract(Udp, 0);
  EXPECT_TRUE(ShortSeen); // a 20-byte frame fails the IPv4 bounds check
  // Every frame reaches the first update: the filter lets all through.
  ASSERT_TRUE(PP.S.Relevance);
  EXPECT_NE(PP.S.Relevance->eval(std::vector<uint8_t>(10, 0)), 0u);
}

TEST(Slicer, ProgramWithoutStateNeedsNoHistory) {
  ParsedProgram PP;
  ASSERT_TRUE(PP.analyse(std::string(XdpPrelude) + R"(
SEC("xdp")
int drop_short(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	if (data + 64 > data_end)
		return XDP_DROP;
	return XDP_PASS;
}
)"));
  EXPECT_TRUE(PP.S.Fields.empty());
  EXPECT_TRUE(PP.R.Writes.empty());
}

TEST(Slicer, PerCoreValueSteeringAnUpdateIsRefused) {
  // The lit test of the same refusal checks the message and its location.
  std::ifstream In(SCRCC_SOURCE_DIR "/test/scrcc/reject-numa-node-id.c");
  std::stringstream Code;
  Code << In.rdbuf();
  ASSERT_FALSE(Code.str().empty());
  ParsedProgram PP;
  ASSERT_TRUE(PP.parse(Code.str()));
  ASSERT_TRUE(PP.P->discover(""));
  testing::internal::CaptureStderr();
  bool Accepted =
      evaluateProgram(*PP.P, PP.R) && computeSlice(*PP.P, PP.R, PP.S);
  std::string Err = testing::internal::GetCapturedStderr();
  EXPECT_FALSE(Accepted);
  EXPECT_GT(PP.Diags->errorCount(), 0u);
  EXPECT_NE(Err.find("bpf_get_numa_node_id"), std::string::npos) << Err;
}

} // namespace
