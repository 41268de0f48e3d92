//===- LayoutTest.cpp - Building, validating and reading a layout ---------===//

#include "scrcc/Layout.h"

#include <gtest/gtest.h>

using namespace scr;
using Op = Expr::Op;

namespace {

Field packetField(std::string Name, uint64_t Offset, unsigned Bytes) {
  Field F;
  F.Name = std::move(Name);
  F.K = Field::Kind::Packet;
  F.Bits = 8 * Bytes;
  F.Offset = Expr::constant(Offset);
  return F;
}

Field predicate(std::string Name, ExprRef Value) {
  Field F;
  F.Name = std::move(Name);
  F.K = Field::Kind::Predicate;
  F.Bits = 1;
  F.Value = std::move(Value);
  return F;
}

/// Source address, a UDP predicate and the frame length, for 4 cores.
Layout sampleLayout() {
  Layout L;
  L.Source = "sample.bpf.c";
  L.Entry = "sample";
  L.Cores = 4;
  L.HistoryLength = 3;
  L.Relevance = Expr::make(
      Op::Eq, {Expr::pkt(Expr::constant(12), 2), Expr::constant(0x800)});
  Field Len;
  Len.Name = "len";
  Len.K = Field::Kind::Length;
  Len.Bits = 16;
  L.Fields = {
      predicate("p_udp", Expr::make(Op::Eq, {Expr::pkt(Expr::constant(23), 1),
                                             Expr::constant(17)})),
      Len, packetField("iph_saddr", 26, 4)};
  L.assignOffsets();
  return L;
}

TEST(LayoutBuilder, WholeBytePacketFieldsComeFirstThenWidestFirst) {
  Layout L = sampleLayout();
  ASSERT_EQ(L.Fields.size(), 3u);
  EXPECT_EQ(L.Fields[0].Name, "iph_saddr");
  EXPECT_EQ(L.Fields[0].BitOffset, 0u);
  EXPECT_EQ(L.Fields[1].Name, "len");
  EXPECT_EQ(L.Fields[1].BitOffset, 32u);
  EXPECT_EQ(L.Fields[2].Name, "p_udp");
  EXPECT_EQ(L.Fields[2].BitOffset, 48u);
  EXPECT_EQ(L.entryBits(), 49u);
  EXPECT_EQ(L.entryBytes(), 7u);
  std::string Err;
  EXPECT_TRUE(L.validate(Err)) << Err;
}

TEST(LayoutBuilder, WideValuesStartOnAByte) {
  Layout L = sampleLayout();
  Field Wide;
  Wide.Name = "wide";
  Wide.K = Field::Kind::Value;
  Wide.Bits = 60;
  Wide.Value = Expr::pkt(Expr::constant(30), 8);
  L.Fields.push_back(predicate(
      "p_short", Expr::make(Op::Ult, {Expr::len(), Expr::constant(64)})));
  L.Fields.push_back(Wide);
  L.assignOffsets();
  for (const Field &F : L.Fields) {
    if (F.Bits > 56)
      EXPECT_EQ(F.BitOffset % 8, 0u) << F.Name;
  }
  std::string Err;
  EXPECT_TRUE(L.validate(Err)) << Err;
}

TEST(LayoutBuilder, EntryPacksAndUnpacksEveryField) {
  Layout L = sampleLayout();
  std::vector<uint8_t> Frame(60, 0);
  Frame[23] = 17;
  Frame[26] = 10, Frame[27] = 0, Frame[28] = 0, Frame[29] = 7;
  std::vector<uint8_t> E = L.packEntry(Frame, 0);
  ASSERT_EQ(E.size(), L.entryBytes());
  EXPECT_EQ(L.unpackField(E, L.Fields[0]), 0x0a000007u);
  EXPECT_EQ(L.unpackField(E, L.Fields[1]), 60u);
  EXPECT_EQ(L.unpackField(E, L.Fields[2]), 1u);
}

TEST(LayoutValidator, OverlappingFieldsAreRefused) {
  Layout L = sampleLayout();
  L.Fields[2].BitOffset = 40; // inside `len`
  std::string Err;
  EXPECT_FALSE(L.validate(Err));
  EXPECT_NE(Err.find("overlap"), std::string::npos) << Err;
}

TEST(LayoutValidator, NamesMustBeCIdentifiersAndUnique) {
  std::string Err;
  Layout L = sampleLayout();
  L.Fields[1].Name = "iph_saddr";
  EXPECT_FALSE(L.validate(Err));
  EXPECT_NE(Err.find("used by"), std::string::npos) << Err;
  L = sampleLayout();
  L.Fields[1].Name = "len; drop";
  EXPECT_FALSE(L.validate(Err));
  EXPECT_NE(Err.find("fields[1]"), std::string::npos) << Err;
}

TEST(LayoutValidator, RangesOfTheHeaderAndTheRing) {
  std::string Err;
  Layout L = sampleLayout();
  L.Cores = 0;
  EXPECT_FALSE(L.validate(Err));
  L = sampleLayout();
  L.HistoryLength = MaxHistoryLength + 1;
  EXPECT_FALSE(L.validate(Err));
  L = sampleLayout();
  L.Fields[2].Bits = 2; // a predicate has one bit
  EXPECT_FALSE(L.validate(Err));
  L = sampleLayout();
  L.LossRecovery = true;
  L.LogEntries = 6; // not a power of two
  EXPECT_FALSE(L.validate(Err));
  L.LogEntries = 8;
  EXPECT_TRUE(L.validate(Err)) << Err;
}

TEST(LayoutValidator, TooDeepExpressionsAreRefused) {
  Layout L = sampleLayout();
  ExprRef E = Expr::len();
  for (unsigned I = 0; I <= MaxExprDepth; ++I)
    E = Expr::make(Op::Not, {E});
  L.Relevance = E;
  std::string Err;
  EXPECT_FALSE(L.validate(Err));
}

TEST(LayoutJson, RoundTripKeepsEveryField) {
  Layout L = sampleLayout();
  std::string Err;
  auto Back = Layout::fromJson(L.toJson(), Err);
  ASSERT_TRUE(Back) << Err;
  EXPECT_EQ(Back->toJson(), L.toJson());
  ASSERT_EQ(Back->Fields.size(), L.Fields.size());
  for (size_t I = 0; I < L.Fields.size(); ++I) {
    EXPECT_EQ(Back->Fields[I].Name, L.Fields[I].Name);
    EXPECT_EQ(Back->Fields[I].BitOffset, L.Fields[I].BitOffset);
  }
  EXPECT_TRUE(Back->Relevance->equals(*L.Relevance));
}

TEST(LayoutJson, ReaderValidates) {
  Layout L = sampleLayout();
  L.Fields[2].BitOffset = 40;
  std::string Err;
  EXPECT_FALSE(Layout::fromJson(L.toJson(), Err));
  EXPECT_NE(Err.find("overlap"), std::string::npos) << Err;
}

} // namespace
