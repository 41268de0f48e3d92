//===- TraceGenTest.cpp - Synthetic traces: determinism and contents
//-------===//

#include "scrrt/TraceGen.h"
#include "scrrt/FrameBuilder.h"
#include "scrrt/PacketInfo.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

using namespace scrrt;

namespace {

using FlowKey = std::tuple<uint32_t, uint32_t, uint16_t, uint16_t, uint8_t>;
FlowKey keyOf(const PacketInfo &I) {
  return {I.SrcIp, I.DstIp, I.SrcPort, I.DstPort, I.Protocol};
}
FlowKey reversed(const FlowKey &K) {
  return {std::get<1>(K), std::get<0>(K), std::get<3>(K), std::get<2>(K),
          std::get<4>(K)};
}

std::vector<PacketInfo> dissectAll(const std::vector<Packet> &T) {
  std::vector<PacketInfo> R;
  for (const Packet &P : T)
    R.push_back(dissect(P.Data));
  return R;
}

class EveryKind : public ::testing::TestWithParam<TraceKind> {};

TEST_P(EveryKind, SameSeedSameBytesOtherSeedOtherBytes) {
  auto A = generateTrace(GetParam(), 3000, 42);
  auto B = generateTrace(GetParam(), 3000, 42);
  auto C = generateTrace(GetParam(), 3000, 43);
  ASSERT_EQ(A.size(), 3000u);
  ASSERT_EQ(C.size(), 3000u);
  bool Same = true, Differs = false;
  for (size_t I = 0; I < A.size(); ++I) {
    Same &= A[I].TimestampNs == B[I].TimestampNs && A[I].Data == B[I].Data;
    Differs |= A[I].TimestampNs != C[I].TimestampNs || A[I].Data != C[I].Data;
  }
  EXPECT_TRUE(Same);
  EXPECT_TRUE(Differs);
}

TEST_P(EveryKind, RealisticFramingAndTime) {
  auto T = generateTrace(GetParam(), 5000, 7);
  ASSERT_EQ(T.size(), 5000u);
  EXPECT_EQ(T[0].TimestampNs, TraceOptions().StartNs);
  for (size_t I = 0; I < T.size(); ++I) {
    if (I) {
      ASSERT_GE(T[I].TimestampNs, T[I - 1].TimestampNs) << I;
    }
    ASSERT_LE(T[I].Data.size(), MaxEthernetFrame);
    PacketInfo Info = dissect(T[I].Data);
    if (GetParam() == TraceKind::Adversarial)
      continue; // bent on purpose; checked below
    ASSERT_GE(T[I].Data.size(), MinEthernetFrame);
    ASSERT_TRUE(Info.Ipv4 && !Info.Truncated && (Info.Tcp || Info.Udp));
    // A correct IPv4 header checksum sums to zero.
    ASSERT_EQ(internetChecksum(std::span(T[I].Data).subspan(14, Info.Ihl * 4)),
              0);
  }
  // Nanosecond timestamps, not multiples of a microsecond.
  size_t SubMicro = 0;
  for (const Packet &P : T)
    SubMicro += P.TimestampNs % 1000 != 0;
  EXPECT_GT(SubMicro, T.size() / 2);
}

INSTANTIATE_TEST_SUITE_P(TraceGen, EveryKind,
                         ::testing::ValuesIn(allTraceKinds().begin(),
                                             allTraceKinds().end()),
                         [](const auto &Info) {
                           std::string N = traceKindName(Info.param);
                           std::erase(N, '-');
                           return N;
                         });

TEST(TraceGen, KindNamesRoundTrip) {
  EXPECT_EQ(allTraceKinds().size(), 7u);
  for (TraceKind K : allTraceKinds())
    EXPECT_EQ(traceKindFromName(traceKindName(K)), K);
  EXPECT_FALSE(traceKindFromName("nope"));
}

TEST(TraceGen, ZipfIsSkewedOverManyTcpAndUdpFlows) {
  auto Infos = dissectAll(generateTrace(TraceKind::Zipf, 20000, 1));
  std::map<FlowKey, size_t> Count;
  size_t Tcp = 0, Udp = 0;
  for (const auto &I : Infos) {
    ++Count[keyOf(I)];
    Tcp += I.Tcp;
    Udp += I.Udp;
  }
  EXPECT_GT(Count.size(), 500u);
  EXPECT_GT(Tcp, 5000u);
  EXPECT_GT(Udp, 2000u);
  std::vector<size_t> Sizes;
  for (auto &[K, N] : Count)
    Sizes.push_back(N);
  std::sort(Sizes.rbegin(), Sizes.rend());
  EXPECT_GT(Sizes[0], 20 * Sizes[Sizes.size() / 2]) << "heavy head";
}

TEST(TraceGen, ElephantIsOneContiguousTcpFlow) {
  auto Infos = dissectAll(generateTrace(TraceKind::Elephant, 5000, 3));
  EXPECT_TRUE(Infos[0].TcpFlags & tcpflag::SYN);
  for (size_t I = 1; I < Infos.size(); ++I) {
    ASSERT_TRUE(Infos[I].Tcp);
    ASSERT_EQ(keyOf(Infos[I]), keyOf(Infos[0]));
    uint32_t Prev = Infos[I - 1].TcpSeq + uint32_t(Infos[I - 1].PayloadBytes) +
                    ((Infos[I - 1].TcpFlags & tcpflag::SYN) ? 1 : 0);
    ASSERT_EQ(Infos[I].TcpSeq, Prev) << "packet " << I;
  }
}

TEST(TraceGen, TcpFlowsOpenWithSynAndCloseWithFinOrRst) {
  auto Infos = dissectAll(generateTrace(TraceKind::TcpFlows, 20000, 5));
  std::map<FlowKey, std::vector<uint8_t>> Flags;
  for (const auto &I : Infos)
    Flags[keyOf(I)].push_back(I.TcpFlags);
  EXPECT_GT(Flags.size(), 1000u);
  size_t Fin = 0, Rst = 0;
  for (auto &[K, F] : Flags) {
    // Flows cut off by the trace's start cannot exist: all begin with SYN.
    ASSERT_EQ(F.front(), tcpflag::SYN);
    Fin += bool(F.back() & tcpflag::FIN);
    Rst += bool(F.back() & tcpflag::RST);
  }
  EXPECT_GT(Fin, 500u);
  EXPECT_GT(Rst, 100u);
}

TEST(TraceGen, ConntrackHandshakesMatchAndInvalidPacketsOccur) {
  auto Infos = dissectAll(generateTrace(TraceKind::Conntrack, 20000, 9));
  std::map<FlowKey, uint32_t> SynSeq, SynAckSeq;
  size_t Handshakes = 0, Established = 0, SynFin = 0, Null = 0;
  for (const auto &I : Infos) {
    ASSERT_TRUE(I.Tcp);
    FlowKey K = keyOf(I);
    uint8_t F = I.TcpFlags;
    if (F == tcpflag::SYN) {
      SynSeq[K] = I.TcpSeq;
    } else if (F == (tcpflag::SYN | tcpflag::ACK)) {
      auto It = SynSeq.find(reversed(K));
      ASSERT_NE(It, SynSeq.end()) << "SYN/ACK without SYN";
      EXPECT_EQ(I.TcpAck, It->second + 1);
      SynAckSeq[K] = I.TcpSeq;
      ++Handshakes;
    } else if (F == tcpflag::ACK && SynAckSeq.count(reversed(K)) &&
               I.TcpAck == SynAckSeq[reversed(K)] + 1 &&
               I.TcpSeq == SynSeq[K] + 1) {
      ++Established; // the third packet of the handshake (or a later ACK)
    }
    SynFin +=
        (F & (tcpflag::SYN | tcpflag::FIN)) == (tcpflag::SYN | tcpflag::FIN);
    Null += F == 0;
  }
  EXPECT_GT(Handshakes, 500u);
  EXPECT_GE(Established, Handshakes * 9 / 10);
  EXPECT_GT(SynFin, 10u);
  EXPECT_GT(Null, 10u);
}

TEST(TraceGen, PortKnockHasSuccessfulAndFailedSequences) {
  auto Infos = dissectAll(generateTrace(TraceKind::PortKnock, 20000, 11));
  // Per source: the TCP SYN destination ports in order.
  std::map<uint32_t, std::vector<uint16_t>> Ports;
  size_t Background = 0;
  for (const auto &I : Infos) {
    if (I.Tcp && I.TcpFlags == tcpflag::SYN)
      Ports[I.SrcIp].push_back(I.DstPort);
    Background += I.Udp;
  }
  size_t Success = 0, Failed = 0;
  for (auto &[Src, P] : Ports) {
    auto It = std::search(P.begin(), P.end(), KnockPorts, KnockPorts + 3);
    if (It != P.end() && It + 3 != P.end() && It[3] != 7000)
      ++Success; // full knock, then something else (the protected port)
    else if (!P.empty() && P[0] == 7000)
      ++Failed;
  }
  EXPECT_GT(Success, 200u);
  EXPECT_GT(Failed, 200u);
  EXPECT_GT(Background, 1000u);
}

TEST(TraceGen, BurstsAlternateWithIdleGaps) {
  auto T = generateTrace(TraceKind::Bursts, 20000, 13);
  std::map<FlowKey, uint64_t> Last;
  size_t Short = 0, Idle = 0;
  for (const Packet &P : T) {
    FlowKey K = keyOf(dissect(P.Data));
    auto It = Last.find(K);
    if (It != Last.end()) {
      uint64_t Gap = P.TimestampNs - It->second;
      Short += Gap < 5000;   // within a burst: < 5 us
      Idle += Gap >= 100000; // between bursts: >= 100 us
    }
    Last[K] = P.TimestampNs;
  }
  EXPECT_GE(Last.size(), 8u);
  EXPECT_GT(Short, T.size() * 8 / 10);
  EXPECT_GT(Idle, 50u);
}

TEST(TraceGen, AdversarialContainsEveryOddity) {
  auto T = generateTrace(TraceKind::Adversarial, 3000, 17);
  size_t Arp = 0, V6 = 0, Vlan = 0, QinQ = 0, Options = 0, Frag = 0,
         LaterFrag = 0, CutIp = 0, CutL4 = 0, Runts = 0, Min = 0, Max = 0,
         Empty = 0, Knock = 0, NonIp = 0, BadIhl = 0;
  for (const Packet &P : T) {
    PacketInfo I = dissect(P.Data);
    Runts += I.Runt;
    Arp += I.Arp;
    V6 += I.Ipv6;
    Vlan += I.VlanTags == 1;
    QinQ += I.VlanTags == 2;
    Options += I.Ipv4 && I.Ihl > 5;
    BadIhl += I.Ipv4 && !I.Truncated && I.Ihl < 5;
    Frag += I.Fragment;
    LaterFrag += I.FragmentOffset8 > 0;
    CutIp += I.Ipv4 && I.Truncated && P.Data.size() < 34;
    CutL4 += I.Ipv4 && I.Truncated && P.Data.size() >= 34;
    Min += P.Data.size() == MinEthernetFrame;
    Max += P.Data.size() == MaxEthernetFrame;
    Empty += (I.Tcp || I.Udp) && I.PayloadBytes == 0;
    Knock += (I.Tcp || I.Udp) &&
             std::count(KnockPorts, KnockPorts + 3, I.DstPort) > 0;
    NonIp += !I.Runt && !I.Arp && !I.Ipv4 && !I.Ipv6;
    if (!I.Runt) {
      ASSERT_GE(P.Data.size(), 14u) << "complete Ethernet header";
    }
  }
  for (auto [Name, N] : std::initializer_list<std::pair<const char *, size_t>>{
           {"arp", Arp},
           {"ipv6", V6},
           {"vlan", Vlan},
           {"qinq", QinQ},
           {"ip options", Options},
           {"fragments", Frag},
           {"non-first fragments", LaterFrag},
           {"cut in IP", CutIp},
           {"cut in L4", CutL4},
           {"runts", Runts},
           {"60-byte", Min},
           {"1514-byte", Max},
           {"empty payload", Empty},
           {"knock ports", Knock},
           {"non-IP", NonIp},
           {"IHL < 5", BadIhl}})
    EXPECT_GT(N, 5u) << Name;
  EXPECT_LT(Runts, T.size() / 20) << "runts stay rare";
}

TEST(TraceGen, ShortAdversarialTraceStillHasEveryCategory) {
  auto T = generateTrace(TraceKind::Adversarial, 18, 1);
  size_t Runts = 0, Arp = 0, V6 = 0;
  for (const Packet &P : T) {
    PacketInfo I = dissect(P.Data);
    Runts += I.Runt;
    Arp += I.Arp;
    V6 += I.Ipv6;
  }
  EXPECT_EQ(Runts, 1u);
  EXPECT_EQ(Arp, 1u);
  EXPECT_EQ(V6, 1u);
}

TEST(TraceGen, MixInterleavesKindsWithExactCount) {
  TraceOptions O;
  O.Mix = {{TraceKind::Elephant, 3}, {TraceKind::Adversarial, 1}};
  O.Packets = 4001;
  O.Seed = 5;
  auto T = generateTrace(O);
  ASSERT_EQ(T.size(), 4001u);
  size_t Arp = 0, FirstHalfArp = 0;
  for (size_t I = 0; I < T.size(); ++I) {
    if (I) {
      ASSERT_GE(T[I].TimestampNs, T[I - 1].TimestampNs);
    }
    bool IsArp = dissect(T[I].Data).Arp;
    Arp += IsArp;
    FirstHalfArp += IsArp && I < T.size() / 2;
  }
  EXPECT_GT(Arp, 20u);
  // Interleaved over the whole trace, not one kind after the other.
  EXPECT_GT(FirstHalfArp, Arp / 4);
  EXPECT_LT(FirstHalfArp, Arp * 3 / 4);
}

TEST(FrameBuilder, ChecksumsVerify) {
  Ipv4Spec Ip;
  Ip.Src = 0x0a000001;
  Ip.Dst = 0x0a000002;
  auto F = tcp4Frame(Ip, {1, 2, 3, 4, tcpflag::ACK, 5}, 33);
  PacketInfo I = dissect(F);
  ASSERT_TRUE(I.Tcp);
  EXPECT_EQ(I.PayloadBytes, 33u);
  EXPECT_EQ(internetChecksum(std::span(F).subspan(14, 20)), 0);
  // TCP: pseudo header (src, dst, proto, length) + segment sums to zero.
  size_t SegLen = 20 + 33;
  uint32_t Pseudo = 0x0a00 + 0x0001 + 0x0a00 + 0x0002 + 6 + uint32_t(SegLen);
  EXPECT_EQ(internetChecksum(std::span(F).subspan(34, SegLen), Pseudo), 0);
  EXPECT_EQ(F.size(), 14 + 20 + SegLen);
  auto Small = udp4Frame(Ip, {1, 2}, 0);
  EXPECT_EQ(Small.size(), MinEthernetFrame) << "padded like on the wire";
}

} // namespace
