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
    if (GetParam() == TraceKind::Icmp)
      ASSERT_TRUE(Info.Ipv4 && Info.Protocol == ipproto::ICMP);
    else
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
  EXPECT_EQ(allTraceKinds().size(), 9u);
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

TEST(TraceGen, ServicesGoToTheChosenPortsFromSkewedClients) {
  TraceOptions O;
  O.Mix = {{TraceKind::Services, 1}};
  O.Packets = 3000;
  std::string Error;
  auto Ports = parseServicePorts("udp:5000,tcp:22,53", Error);
  ASSERT_TRUE(Ports) << Error;
  O.Ports = *Ports;
  std::map<std::pair<bool, uint16_t>, size_t> Seen; // (TCP, port)
  std::map<uint32_t, size_t> PerClient;
  size_t Syn = 0;
  for (const PacketInfo &I : dissectAll(generateTrace(O))) {
    ASSERT_TRUE(I.Tcp || I.Udp);
    ++Seen[{I.Tcp, I.DstPort}];
    ++PerClient[I.SrcIp];
    Syn += I.Tcp && (I.TcpFlags & tcpflag::SYN);
  }
  using Key = std::pair<bool, uint16_t>;
  EXPECT_EQ(Seen.size(), 4u);
  for (Key K : {Key{false, 5000}, Key{true, 22}, Key{true, 53}, Key{false, 53}})
    EXPECT_GT(Seen[K], 300u) << K.first << " " << K.second;
  EXPECT_GT(Syn, 20u);
  // Zipf: the busiest client sends far more than its share.
  size_t Busiest = 0;
  for (const auto &[Ip, N] : PerClient)
    Busiest = std::max(Busiest, N);
  EXPECT_GT(Busiest, 3000u / PerClient.size() * 5);
}

TEST(TraceGen, ServicePortsParse) {
  std::string Error;
  auto P = parseServicePorts("tcp:80,udp:53,443", Error);
  ASSERT_TRUE(P);
  ASSERT_EQ(P->size(), 3u);
  EXPECT_TRUE((*P)[0].Tcp && !(*P)[0].Udp && (*P)[0].Port == 80);
  EXPECT_TRUE(!(*P)[1].Tcp && (*P)[1].Udp && (*P)[1].Port == 53);
  EXPECT_TRUE((*P)[2].Tcp && (*P)[2].Udp && (*P)[2].Port == 443);
  for (const char *Bad : {"", "0", "65536", "80,", "sctp:1", "udp:", "-1"})
    EXPECT_FALSE(parseServicePorts(Bad, Error)) << Bad;
}

TEST(TraceGen, IcmpHasEchoPairsAndErrors) {
  auto T = generateTrace(TraceKind::Icmp, 2000, 3);
  std::map<uint8_t, size_t> Types;
  for (const Packet &P : T) {
    PacketInfo I = dissect(P.Data);
    ASSERT_EQ(I.Protocol, ipproto::ICMP);
    size_t L4 = 14 + I.Ihl * 4, Len = P.Data[16] << 8 | P.Data[17];
    // The ICMP checksum covers the message (IP length less its header).
    ASSERT_EQ(internetChecksum(std::span(P.Data).subspan(L4, Len - I.Ihl * 4)),
              0);
    ++Types[P.Data[L4]];
  }
  EXPECT_GT(Types[8], 500u);         // echo request
  EXPECT_GT(Types[0], Types[8] / 2); // echo reply
  EXPECT_GT(Types[3], 20u);          // destination unreachable
}

TEST(TraceGen, MaxFrameReachesTheTestRunLimit) {
  TraceOptions O;
  O.Mix = {{TraceKind::Services, 1}, {TraceKind::Icmp, 1}};
  O.Packets = 2000;
  O.MaxFrame = 3520;
  size_t Largest = 0, Over1514 = 0;
  for (const Packet &P : generateTrace(O)) {
    Largest = std::max(Largest, P.Data.size());
    Over1514 += P.Data.size() > MaxEthernetFrame;
  }
  EXPECT_EQ(Largest, 3520u);
  EXPECT_GT(Over1514, 300u);
}

TEST(TraceGen, RateGivesPoissonArrivals) {
  TraceOptions O;
  O.Mix = {{TraceKind::Zipf, 1}};
  O.Packets = 4000;
  O.RatePps = 1000; // a mean gap of 1 ms
  auto T = generateTrace(O);
  EXPECT_EQ(T.front().TimestampNs, O.StartNs);
  uint64_t Long = 0;
  for (size_t I = 1; I < T.size(); ++I) {
    ASSERT_GT(T[I].TimestampNs, T[I - 1].TimestampNs);
    Long += T[I].TimestampNs - T[I - 1].TimestampNs > 3'000'000;
  }
  double Mean = double(T.back().TimestampNs - T.front().TimestampNs) /
                double(T.size() - 1);
  EXPECT_NEAR(Mean, 1e6, 1e5);
  // Exponential: about e^-3 (5%) of the gaps are longer than 3 means.
  EXPECT_GT(Long, 100u);
  EXPECT_LT(Long, 300u);
}

TEST(TraceGen, CrossWrapPutsTheMiddleOnAWrap) {
  TraceOptions O;
  O.Mix = {{TraceKind::Bursts, 1}};
  O.Packets = 3000;
  auto Plain = generateTrace(O);
  O.CrossWrapBits = 32;
  auto T = generateTrace(O);
  ASSERT_EQ(T.size(), Plain.size());
  uint64_t Wrap = uint64_t(1) << 32;
  EXPECT_NE(T.front().TimestampNs / Wrap, T.back().TimestampNs / Wrap);
  uint64_t Mid = T.front().TimestampNs +
                 (T.back().TimestampNs - T.front().TimestampNs) / 2;
  EXPECT_LE(Mid % Wrap, 1u);
  for (size_t I = 1; I < T.size(); ++I)
    ASSERT_EQ(T[I].TimestampNs - T[I - 1].TimestampNs,
              Plain[I].TimestampNs - Plain[I - 1].TimestampNs);
  EXPECT_EQ(T[7].Data, Plain[7].Data);
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
