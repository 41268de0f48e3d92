//===- SequencerTest.cpp - The reference sequencer against the spec
//--------===//
//
// Every expectation restates docs/packet-format.md; the receiver model below
// is the "Receiver" section of that document.
//
//===----------------------------------------------------------------------===//

#include "scrrt/Sequencer.h"
#include "scrrt/FrameBuilder.h"

#include <gtest/gtest.h>

using namespace scrrt;
using scr::Expr;
using scr::HeaderFormat;

namespace {

uint64_t be(const std::vector<uint8_t> &B, size_t Off, unsigned Bytes) {
  uint64_t V = 0;
  for (unsigned I = 0; I < Bytes; ++I)
    V = V << 8 | B.at(Off + I);
  return V;
}

/// A DDoS-like layout: source IP, timestamp, length and an is-TCP bit;
/// relevant iff IPv4.
scr::Layout ddosLayout(unsigned N,
                       scr::SequencerMode Mode = scr::SequencerMode::Nic) {
  scr::Layout L;
  L.Cores = N + 1;
  L.HistoryLength = N;
  L.Mode = Mode;
  L.Relevance = Expr::make(
      Expr::Op::Eq, {Expr::pkt(Expr::constant(12), 2), Expr::constant(0x800)});
  scr::Field Saddr;
  Saddr.Name = "ip_saddr";
  Saddr.K = scr::Field::Kind::Packet;
  Saddr.Bits = 32;
  Saddr.Offset = Expr::constant(26);
  scr::Field Ts;
  Ts.Name = "ts";
  Ts.K = scr::Field::Kind::Timestamp;
  Ts.Bits = 48;
  scr::Field Len;
  Len.Name = "len";
  Len.K = scr::Field::Kind::Length;
  Len.Bits = 16;
  scr::Field IsTcp;
  IsTcp.Name = "is_tcp";
  IsTcp.K = scr::Field::Kind::Predicate;
  IsTcp.Bits = 1;
  IsTcp.Value = Expr::make(
      Expr::Op::Eq, {Expr::pkt(Expr::constant(23), 1), Expr::constant(6)});
  L.Fields = {Saddr, Ts, Len, IsTcp};
  L.assignOffsets();
  return L;
}

Packet ipv4Packet(uint32_t Src, uint64_t Ts, size_t Payload = 10,
                  bool Tcp = true) {
  Ipv4Spec Ip;
  Ip.Src = Src;
  Ip.Dst = 0xc0a80001;
  if (Tcp)
    return {Ts, tcp4Frame(Ip, {1234, 80, 1, 0, tcpflag::ACK, 100}, Payload)};
  return {Ts, udp4Frame(Ip, {1234, 53}, Payload)};
}

Packet arpPacket(uint64_t Ts) {
  EthernetSpec E{macFor(1), macFor(2), {}};
  auto F = ethernetHeader(E, ethertype::ARP);
  F.resize(60, 0);
  return {Ts, F};
}

/// The ring slots carried by a frame, as entries.
std::vector<std::vector<uint8_t>> slots(const scr::Layout &L,
                                        const Sequencer::Frame &F) {
  size_t Base =
      (L.Mode == scr::SequencerMode::Tor ? 14 : 0) + HeaderFormat::Bytes;
  std::vector<std::vector<uint8_t>> S;
  for (unsigned I = 0; I < L.HistoryLength; ++I) {
    auto Begin = F.Bytes.begin() + Base + I * L.entryBytes();
    S.emplace_back(Begin, Begin + L.entryBytes());
  }
  return S;
}

size_t headerBase(const scr::Layout &L) {
  return L.Mode == scr::SequencerMode::Tor ? 14 : 0;
}

/// Runs \p Packets through a sequencer and checks every frame against the
/// spec's description of what it carries: entries H-N .. H-1 that exist, entry
/// H-d in slot (oldest + N - d) mod N, zero slots for entries not yet written.
void checkHistoryInvariant(const scr::Layout &L, Sequencer &S,
                           const std::vector<Packet> &Packets) {
  const unsigned N = L.HistoryLength;
  std::vector<std::vector<uint8_t>> Written; // entries in write order
  uint32_t StartHist = S.histSeq();
  for (const Packet &P : Packets) {
    Sequencer::Frame F = S.next(P);
    size_t B = headerBase(L);
    uint32_t H = uint32_t(be(F.Bytes, B + HeaderFormat::HistSeqOffset, 4));
    unsigned Oldest = unsigned(be(F.Bytes, B + HeaderFormat::OldestOffset, 2));
    ASSERT_EQ(H, F.HistSeq);
    ASSERT_EQ(uint32_t(H - StartHist), Written.size());
    ASSERT_LT(Oldest, std::max(N, 1u));
    auto Slot = slots(L, F);
    for (unsigned D = 1; D <= N; ++D) {
      const auto &Got = Slot[(Oldest + N - D) % N];
      if (Written.size() >= D)
        ASSERT_EQ(Got, Written[Written.size() - D]) << "entry H-" << D;
      else
        ASSERT_EQ(Got, std::vector<uint8_t>(L.entryBytes(), 0));
    }
    if (F.Relevant)
      Written.push_back(L.packEntry(P.Data, F.TimestampNs));
  }
}

TEST(Sequencer, StartUpFrameIsHeaderZeroRingAndPacket) {
  scr::Layout L = ddosLayout(3);
  Sequencer S(L);
  Packet P = ipv4Packet(0x0a000001, 123456789);
  Sequencer::Frame F = S.next(P);
  EXPECT_EQ(F.Seq, 0u);
  EXPECT_EQ(F.HistSeq, 0u);
  EXPECT_TRUE(F.Relevant);
  EXPECT_EQ(F.TimestampNs, 123456789u);
  ASSERT_EQ(F.Bytes.size(), L.prefixBytes() + P.Data.size());
  EXPECT_EQ(L.prefixBytes(), 20u + 3 * L.entryBytes());
  EXPECT_EQ(be(F.Bytes, 0, 4), 0u);
  EXPECT_EQ(be(F.Bytes, 4, 4), 0u);
  EXPECT_EQ(be(F.Bytes, 8, 8), 123456789u);
  EXPECT_EQ(be(F.Bytes, 16, 2), 0u);
  EXPECT_EQ(F.Bytes[18], HeaderFormat::FlagRelevant);
  EXPECT_EQ(F.Bytes[19], 0);
  for (size_t I = 20; I < L.prefixBytes(); ++I)
    EXPECT_EQ(F.Bytes[I], 0) << "start-up slots are zero";
  EXPECT_TRUE(std::equal(P.Data.begin(), P.Data.end(),
                         F.Bytes.begin() + L.prefixBytes()));
}

TEST(Sequencer, RingFillsInOrderAndIndexWraps) {
  scr::Layout L = ddosLayout(3);
  Sequencer S(L);
  std::vector<Packet> Trace;
  for (unsigned I = 0; I < 10; ++I)
    Trace.push_back(ipv4Packet(0x0a000000 + I, 1000 * I));
  std::vector<unsigned> Oldest;
  Sequencer Probe(L);
  for (const Packet &P : Trace) {
    Oldest.push_back(Probe.oldestSlot());
    Sequencer::Frame F = Probe.next(P);
    EXPECT_EQ(be(F.Bytes, 16, 2), Oldest.back());
  }
  EXPECT_EQ(Oldest, (std::vector<unsigned>{0, 1, 2, 0, 1, 2, 0, 1, 2, 0}));
  checkHistoryInvariant(L, S, Trace);
}

TEST(Sequencer, FourthFrameCarriesFirstThreePacketsBySlot) {
  scr::Layout L = ddosLayout(3);
  Sequencer S(L);
  for (unsigned I = 0; I < 4; ++I) {
    Sequencer::Frame F = S.next(ipv4Packet(0x0a000000 + I, 0));
    if (I < 3)
      continue;
    auto Slot = slots(L, F);
    const scr::Field &Saddr = L.Fields[0];
    ASSERT_EQ(Saddr.Name, "ip_saddr");
    for (unsigned J = 0; J < 3; ++J)
      EXPECT_EQ(L.unpackField(Slot[J], Saddr), 0x0a000000u + J);
  }
}

TEST(Sequencer, IrrelevantPacketsStayOutOfTheRing) {
  scr::Layout L = ddosLayout(2);
  Sequencer S(L);
  Sequencer::Frame A = S.next(ipv4Packet(0x0a000001, 10));
  Sequencer::Frame B = S.next(arpPacket(20));
  Sequencer::Frame C = S.next(ipv4Packet(0x0a000002, 30));
  Sequencer::Frame D = S.next(arpPacket(40));
  EXPECT_TRUE(A.Relevant);
  EXPECT_FALSE(B.Relevant);
  EXPECT_EQ(B.Bytes[18], 0);
  EXPECT_EQ((std::vector<uint32_t>{A.Seq, B.Seq, C.Seq, D.Seq}),
            (std::vector<uint32_t>{0, 1, 2, 3}));
  EXPECT_EQ((std::vector<uint32_t>{A.HistSeq, B.HistSeq, C.HistSeq, D.HistSeq}),
            (std::vector<uint32_t>{0, 1, 1, 2}));
  // The ARP frames' entries are never written: D sees exactly A and C.
  auto Slot = slots(L, D);
  EXPECT_EQ(L.unpackField(Slot[0], L.Fields[0]), 0x0a000001u);
  EXPECT_EQ(L.unpackField(Slot[1], L.Fields[0]), 0x0a000002u);

  std::vector<Packet> Mixed;
  for (unsigned I = 0; I < 50; ++I)
    Mixed.push_back(I % 3 == 1 ? arpPacket(I) : ipv4Packet(I, I));
  Sequencer S2(L);
  checkHistoryInvariant(L, S2, Mixed);
}

TEST(Sequencer, SeqWrapsAt2To32) {
  scr::Layout L = ddosLayout(2);
  Sequencer S(L, 0xfffffffeu, 0);
  std::vector<uint32_t> Seqs;
  for (unsigned I = 0; I < 4; ++I) {
    Sequencer::Frame F = S.next(ipv4Packet(I, I));
    Seqs.push_back(uint32_t(be(F.Bytes, 0, 4)));
    EXPECT_EQ(Seqs.back(), F.Seq);
  }
  EXPECT_EQ(Seqs, (std::vector<uint32_t>{0xfffffffe, 0xffffffff, 0, 1}));
}

TEST(Sequencer, HistSeqWrapKeepsRingOrderWhenNDoesNotDivide2To32) {
  // N = 3 does not divide 2^32: hist_seq mod N would jump at the wrap and
  // overwrite an entry still in the history; the write slot must not.
  scr::Layout L = ddosLayout(3);
  Sequencer S(L, 0, 0xfffffffdu);
  EXPECT_EQ(S.oldestSlot(), 0xfffffffdu % 3);
  std::vector<Packet> Trace;
  for (unsigned I = 0; I < 12; ++I)
    Trace.push_back(I % 4 == 3 ? arpPacket(I) : ipv4Packet(100 + I, I));
  Sequencer Probe(L, 0, 0xfffffffdu);
  std::vector<uint32_t> Hist;
  for (const Packet &P : Trace)
    Hist.push_back(Probe.next(P).HistSeq);
  EXPECT_EQ(Hist[0], 0xfffffffdu);
  EXPECT_EQ(Hist[3], 0u);  // 3 relevant packets later: wrapped
  EXPECT_EQ(Hist[11], 6u); // 12 frames, 9 relevant
  checkHistoryInvariant(L, S, Trace);
}

TEST(Sequencer, ResetReturnsToInitialState) {
  scr::Layout L = ddosLayout(2);
  Sequencer S(L, 7, 9);
  Packet P = ipv4Packet(1, 5);
  Sequencer::Frame First = S.next(P);
  S.next(P);
  S.next(P);
  S.reset();
  Sequencer::Frame Again = S.next(P);
  EXPECT_EQ(First.Bytes, Again.Bytes);
  EXPECT_EQ(Again.Seq, 7u);
  EXPECT_EQ(Again.HistSeq, 9u);
}

TEST(Sequencer, TorModePrependsOuterEthernet) {
  scr::Layout L = ddosLayout(2, scr::SequencerMode::Tor);
  const uint8_t Dst[6] = {0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f};
  std::copy(Dst, Dst + 6, L.OuterDst);
  Sequencer S(L);
  Packet P = ipv4Packet(1, 77);
  Sequencer::Frame F = S.next(P);
  ASSERT_EQ(F.Bytes.size(), L.prefixBytes() + P.Data.size());
  EXPECT_EQ(L.prefixBytes(), 14u + 20 + 2 * L.entryBytes());
  EXPECT_TRUE(std::equal(Dst, Dst + 6, F.Bytes.begin()));
  EXPECT_TRUE(std::equal(L.OuterSrc, L.OuterSrc + 6, F.Bytes.begin() + 6));
  EXPECT_EQ(be(F.Bytes, 12, 2), 0x88B5u);
  EXPECT_EQ(be(F.Bytes, 14 + 8, 8), 77u);
  EXPECT_EQ(F.Bytes[14 + 18], HeaderFormat::FlagRelevant);
  std::vector<Packet> Trace;
  for (unsigned I = 0; I < 9; ++I)
    Trace.push_back(ipv4Packet(I, I));
  Sequencer S2(L);
  checkHistoryInvariant(L, S2, Trace);
}

TEST(Sequencer, NoHistoryWhenNIsZero) {
  scr::Layout L = ddosLayout(0);
  Sequencer S(L);
  EXPECT_EQ(L.prefixBytes(), 20u);
  for (unsigned I = 0; I < 5; ++I) {
    Packet P = I == 2 ? arpPacket(I) : ipv4Packet(I, I);
    Sequencer::Frame F = S.next(P);
    ASSERT_EQ(F.Bytes.size(), 20 + P.Data.size());
    EXPECT_EQ(be(F.Bytes, 16, 2), 0u) << "oldest is 0 when N = 0";
    EXPECT_EQ(F.HistSeq, I <= 2 ? I : I - 1) << "hist_seq still counts";
    EXPECT_TRUE(std::equal(P.Data.begin(), P.Data.end(), F.Bytes.begin() + 20));
  }
}

TEST(Sequencer, TimestampIsTruncatedToLayoutBits) {
  scr::Layout L = ddosLayout(1);
  const uint64_t T = 0x123456789abcdef0ULL;
  Sequencer S(L);
  S.next(ipv4Packet(1, T));
  Sequencer::Frame F = S.next(ipv4Packet(2, T + 1));
  EXPECT_EQ(F.TimestampNs, (T + 1) & 0xffffffffffffULL);
  EXPECT_EQ(be(F.Bytes, 8, 8), (T + 1) & 0xffffffffffffULL);
  const scr::Field *Ts = nullptr;
  for (const scr::Field &Fl : L.Fields)
    if (Fl.Name == "ts")
      Ts = &Fl;
  ASSERT_TRUE(Ts);
  EXPECT_EQ(L.unpackField(slots(L, F)[0], *Ts), T & 0xffffffffffffULL);

  L.TimestampBits = 32;
  Sequencer S32(L);
  EXPECT_EQ(S32.next(ipv4Packet(1, T)).TimestampNs, T & 0xffffffffULL);
}

TEST(Sequencer, EntriesArePackedByTheLayout) {
  scr::Layout L = ddosLayout(2);
  Sequencer S(L);
  Packet Tcp = ipv4Packet(0xc0000201, 5000, 100, true);
  Packet Udp = ipv4Packet(0xc0000202, 6000, 7, false);
  S.next(Tcp);
  S.next(Udp);
  Sequencer::Frame F = S.next(ipv4Packet(3, 7000));
  auto Slot = slots(L, F);
  EXPECT_EQ(Slot[0], L.packEntry(Tcp.Data, 5000));
  EXPECT_EQ(Slot[1], L.packEntry(Udp.Data, 6000));
  auto Get = [&](unsigned S, const char *Name) {
    for (const scr::Field &Fl : L.Fields)
      if (Fl.Name == Name)
        return L.unpackField(Slot[S], Fl);
    ADD_FAILURE() << Name;
    return uint64_t(0);
  };
  EXPECT_EQ(Get(0, "ip_saddr"), 0xc0000201u);
  EXPECT_EQ(Get(0, "len"), Tcp.Data.size());
  EXPECT_EQ(Get(0, "is_tcp"), 1u);
  EXPECT_EQ(Get(1, "is_tcp"), 0u);
  EXPECT_EQ(Get(1, "ts"), 6000u);
}

TEST(Sequencer, MissingRelevanceMeansEveryPacketIsRelevant) {
  scr::Layout L = ddosLayout(2);
  L.Relevance = nullptr;
  Sequencer S(L);
  EXPECT_TRUE(S.next(arpPacket(1)).Relevant);
  EXPECT_EQ(S.histSeq(), 1u);
}

TEST(Sequencer, SequenceTraceKeepsArrivalTimes) {
  scr::Layout L = ddosLayout(2);
  Sequencer S(L);
  std::vector<Packet> In = {ipv4Packet(1, 0x1000000000000ULL + 5),
                            ipv4Packet(2, 0x1000000000000ULL + 9)};
  std::vector<Packet> Out = sequenceTrace(S, In);
  ASSERT_EQ(Out.size(), 2u);
  EXPECT_EQ(Out[1].TimestampNs, In[1].TimestampNs); // untruncated
  EXPECT_EQ(be(Out[1].Data, 8, 8), 9u);             // header: truncated
  EXPECT_EQ(be(Out[1].Data, 0, 4), 1u);
}

TEST(Packet, DropRuntFramesKeepsOrder) {
  std::vector<Packet> P = {{1, std::vector<uint8_t>(14)},
                           {2, std::vector<uint8_t>(13)},
                           {3, {}},
                           {4, std::vector<uint8_t>(60)}};
  EXPECT_EQ(dropRuntFrames(P), 2u);
  ASSERT_EQ(P.size(), 2u);
  EXPECT_EQ(P[0].TimestampNs, 1u);
  EXPECT_EQ(P[1].TimestampNs, 4u);
}

} // namespace
