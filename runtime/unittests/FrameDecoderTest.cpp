//===- FrameDecoderTest.cpp - Decoding SCR frames back
//---------------------===//

#include "scrrt/FrameDecoder.h"
#include "scrrt/Sequencer.h"
#include "scrrt/TraceGen.h"

#include <gtest/gtest.h>

using namespace scrrt;
using scr::Expr;

namespace {

scr::Layout smallLayout(unsigned N, scr::SequencerMode Mode) {
  scr::Layout L;
  L.HistoryLength = N;
  L.Mode = Mode;
  L.Relevance = Expr::make(
      Expr::Op::Ne, {Expr::pkt(Expr::constant(12), 2), Expr::constant(0x806)});
  scr::Field Len;
  Len.Name = "len";
  Len.K = scr::Field::Kind::Length;
  Len.Bits = 16;
  scr::Field Dport;
  Dport.Name = "dport";
  Dport.K = scr::Field::Kind::Packet;
  Dport.Bits = 16;
  Dport.Offset = Expr::constant(36);
  L.Fields = {Len, Dport};
  L.assignOffsets();
  return L;
}

TEST(FrameDecoder, InvertsTheSequencer) {
  for (auto Mode : {scr::SequencerMode::Nic, scr::SequencerMode::Tor}) {
    scr::Layout L = smallLayout(4, Mode);
    Sequencer S(L);
    auto Trace = generateTrace(TraceKind::Adversarial, 200, 3);
    dropRuntFrames(Trace);
    for (const Packet &P : Trace) {
      Sequencer::Frame F = S.next(P);
      std::string Error;
      auto D = decodeFrame(L, F.Bytes, Error);
      ASSERT_TRUE(D) << Error;
      EXPECT_EQ(D->HasOuterEthernet, Mode == scr::SequencerMode::Tor);
      EXPECT_EQ(D->Seq, F.Seq);
      EXPECT_EQ(D->HistSeq, F.HistSeq);
      EXPECT_EQ(D->TimestampNs, F.TimestampNs);
      EXPECT_EQ(D->relevant(), F.Relevant);
      EXPECT_EQ(D->Reserved, 0);
      ASSERT_EQ(D->Slots.size(), 4u);
      EXPECT_TRUE(std::equal(D->Packet.begin(), D->Packet.end(), P.Data.begin(),
                             P.Data.end()));
    }
  }
}

TEST(FrameDecoder, FormatsEntriesByField) {
  scr::Layout L = smallLayout(1, scr::SequencerMode::Nic);
  // assignOffsets puts whole-byte packet fields first.
  std::vector<uint8_t> Entry = {0x1b, 0x58, 0x00, 0x3c};
  EXPECT_EQ(formatEntry(L, Entry), "dport=0x1b58 len=60");
}

TEST(FrameDecoder, RejectsFramesThatAreNotScrFrames) {
  std::string Error;
  scr::Layout Nic = smallLayout(2, scr::SequencerMode::Nic);
  std::vector<uint8_t> Short(Nic.prefixBytes() - 1, 0);
  EXPECT_FALSE(decodeFrame(Nic, Short, Error));
  EXPECT_NE(Error.find("shorter than the SCR prefix"), std::string::npos);

  std::vector<uint8_t> BadOldest(Nic.prefixBytes() + 14, 0);
  BadOldest[17] = 2; // oldest = 2 with N = 2
  EXPECT_FALSE(decodeFrame(Nic, BadOldest, Error));
  EXPECT_NE(Error.find("oldest slot 2 is outside the ring of 2"),
            std::string::npos);

  scr::Layout Tor = smallLayout(2, scr::SequencerMode::Tor);
  std::vector<uint8_t> Plain(Tor.prefixBytes() + 14, 0);
  Plain[12] = 0x08;
  EXPECT_FALSE(decodeFrame(Tor, Plain, Error));
  EXPECT_EQ(Error, "outer EtherType 0x0800 is not the SCR EtherType 0x88b5");
}

} // namespace
