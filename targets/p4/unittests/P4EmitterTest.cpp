//===- P4EmitterTest.cpp - Expression lowering and emitter refusals -------===//

#include "scrcc/P4Emitter.h"
#include "MatchRows.h"

#include "ExprBuilders.h"

#include <gtest/gtest.h>

#include <cctype>
#include <cstdio>
#include <sstream>

using namespace scrp4;
using Op = scr::Expr::Op;
using scr::Expr;

using scrp4::test::C;
using scrp4::test::Ihl;
using scrp4::test::swapped32;

TEST(MatchRows, IhlRelativeLoadIsAnL4Operand) {
  auto Off = Expr::make(Op::Add, {Expr::make(Op::Mul, {Ihl(), C(4)}), C(16)});
  auto O = toOperand(*Expr::pkt(Off, 2));
  ASSERT_TRUE(O);
  EXPECT_EQ(O->R, Region::L4);
  EXPECT_EQ(O->Offset, 2u);
  EXPECT_EQ(O->width(), 16u);
}

TEST(MatchRows, NegatedConjunctionBecomesDisjunction) {
  std::string E;
  auto A = Expr::make(Op::Eq, {Expr::pkt(C(12), 2), C(0x800)});
  auto B = Expr::make(Op::Eq, {Expr::pkt(C(23), 1), C(6)});
  auto Rows = toRows(*Expr::make(Op::LAnd, {A, B}), /*Negate=*/true, E);
  ASSERT_TRUE(Rows) << E;
  EXPECT_EQ(Rows->size(), 4u); // != 0x800 (2 ranges) or != 6 (2 ranges)
}

TEST(MatchRows, LengthRangesCountTheFcs) {
  std::string E;
  auto Rows = toRows(*Expr::make(Op::Uge, {Expr::len(), C(34)}), false, E);
  ASSERT_TRUE(Rows && Rows->size() == 1);
  auto R = Rows->front().Ranges.begin()->second;
  EXPECT_EQ(R.Lo, 38u);
  EXPECT_EQ(R.Hi, 0xffffu);
}

TEST(MatchRows, ByteSwapComparesSwappedConstant) {
  auto X = Expr::pkt(C(36), 2);
  auto Lo = Expr::make(Op::Shl, {Expr::make(Op::And, {X, C(0xff)}), C(8)});
  auto Hi = Expr::make(Op::And, {Expr::make(Op::Shr, {X, C(8)}), C(0xff)});
  auto Swapped = Expr::make(Op::Or, {Lo, Hi});
  std::string E;
  auto Rows = toRows(*Expr::make(Op::Eq, {Swapped, C(0x1b58)}), false, E);
  ASSERT_TRUE(Rows && Rows->size() == 1) << E;
  auto R = Rows->front().Ranges.begin()->second;
  EXPECT_EQ(R.Lo, 0x581bu);
}

TEST(MatchRows, BoundAboveLengthIsMatchedPerIhl) {
  // (14 + ihl * 4 + 20 > len) is false, i.e. len >= 34 + 4 * ihl.
  auto Bound = Expr::make(Op::Add, {Expr::make(Op::Mul, {Ihl(), C(4)}), C(34)});
  std::string E;
  auto Rows = toRows(*Expr::make(Op::Ugt, {Bound, Expr::len()}), true, E);
  ASSERT_TRUE(Rows) << E;
  ASSERT_EQ(Rows->size(), 16u);
  const Row &R = (*Rows)[7];
  EXPECT_EQ(R.Ranges.at(ihlOperand()).Lo, 7u);
  Operand Len{Region::Length, 0, 2, 15, 0, false};
  EXPECT_EQ(R.Ranges.at(Len).Lo, 34u + 28 + PktLengthFcsBytes);
}

TEST(MatchRows, FieldAgainstTwoFieldBound) {
  // pkt16[16] < 4 * ihl + 4 * doff: one row per (ihl, doff).
  auto Doff = Expr::make(Op::Shr, {Expr::pkt(C(46), 1), C(4)});
  auto Bound = Expr::make(Op::Add, {Expr::make(Op::Mul, {Ihl(), C(4)}),
                                    Expr::make(Op::Mul, {Doff, C(4)})});
  std::string E;
  auto Rows =
      toRows(*Expr::make(Op::Ult, {Expr::pkt(C(16), 2), Bound}), false, E);
  ASSERT_TRUE(Rows) << E;
  EXPECT_EQ(Rows->size(), 255u); // all but ihl = doff = 0
}

TEST(MatchRows, LosslessByteSwapIsNonZeroIffItsSource) {
  auto X = Expr::make(Op::And, {Expr::pkt(C(20), 2), C(0x3fff)});
  auto Lo = Expr::make(Op::Shl, {Expr::make(Op::And, {X, C(0xff)}), C(8)});
  auto Hi = Expr::make(Op::And, {Expr::make(Op::Shr, {X, C(8)}), C(0xff)});
  std::string E;
  auto Rows = toRows(*Expr::make(Op::Or, {Lo, Hi}), /*Negate=*/true, E);
  ASSERT_TRUE(Rows && Rows->size() == 1) << E;
  auto [O, R] = *Rows->front().Ranges.begin();
  EXPECT_EQ(O.Hi, 13u);
  EXPECT_EQ(R.Lo, 0u);
  EXPECT_EQ(R.Hi, 0u);
}

TEST(MatchRows, RejectsArithmeticItCannotMatch) {
  std::string E;
  auto Sum = Expr::make(Op::Add, {Expr::pkt(C(26), 4), Expr::pkt(C(30), 4)});
  EXPECT_FALSE(toRows(*Expr::make(Op::Eq, {Sum, C(1)}), false, E));
  EXPECT_NE(E.find("not a packet field"), std::string::npos) << E;
}

TEST(MatchRows, PrefixesCoverTheRangeExactly) {
  for (auto [Lo, Hi] : {std::pair<uint64_t, uint64_t>{58, 0xffff},
                        {5, 9},
                        {0, 0xffff},
                        {7, 7}}) {
    auto P = rangeToPrefixes(Lo, Hi, 16);
    for (uint64_t V = 0; V <= 0xffff; ++V) {
      bool In = false;
      for (const Masked &M : P)
        In |= (V & M.Mask) == (M.Value & M.Mask);
      ASSERT_EQ(In, V >= Lo && V <= Hi) << V;
    }
  }
}

static scr::Layout srcIpLayout(scr::ExprRef Relevance, scr::ExprRef Offset) {
  scr::Layout L;
  L.Cores = 4;
  L.HistoryLength = 3;
  L.Mode = scr::SequencerMode::Tor;
  L.Relevance = Relevance;
  scr::Field F;
  F.Name = "saddr";
  F.K = scr::Field::Kind::Packet;
  F.Bits = 32;
  F.Offset = Offset;
  L.Fields.push_back(F);
  return L;
}

TEST(P4Emitter, ZeroFillsUnguardedL4Read) {
  // Every frame is relevant, so the L4 bytes are extracted when present,
  // zero-filled when not, and copied from hdr.pkt for IHL 0..4 (frame
  // bytes 30..33 for IHL 4).
  auto L4 = Expr::make(Op::Add, {Expr::make(Op::Mul, {Ihl(), C(4)}), C(14)});
  auto L = srcIpLayout(C(1), L4);
  std::string Out, Err;
  ASSERT_TRUE(emitP4Sequencer(L, P4Options(), Out, Err)) << Err;
  EXPECT_NE(Out.find("header scr_l4_c0_h {"), std::string::npos);
  EXPECT_NE(Out.find("if (!hdr.l4_c0.isValid()) { scr_l4_c0_absent(); }"),
            std::string::npos);
  EXPECT_NE(Out.find("action scr_l4_from_ihl4() {\n"
                     "        hdr.l4_c0.saddr = hdr.pkt.skip15[31:0];"),
            std::string::npos)
      << Out;
}

TEST(P4Emitter, RefusesUnguardedL4ReadBeyondTheIpv4Header) {
  // Bytes 4..7 behind the header: for IHL 4 they would lie at 34..37,
  // outside what the parser keeps of the IPv4 header.
  auto L4 = Expr::make(Op::Add, {Expr::make(Op::Mul, {Ihl(), C(4)}), C(18)});
  auto L = srcIpLayout(C(1), L4);
  std::string Out, Err;
  EXPECT_FALSE(emitP4Sequencer(L, P4Options(), Out, Err));
  EXPECT_NE(Err.find("does not guarantee ihl >= 5"), std::string::npos) << Err;
  EXPECT_TRUE(Out.empty());
}

TEST(P4Emitter, NamesTheFieldItCannotCompute) {
  auto L = srcIpLayout(C(1), C(26));
  scr::Field V;
  V.Name = "mixed";
  V.K = scr::Field::Kind::Value;
  V.Bits = 32;
  V.BitOffset = 32;
  V.Value = Expr::make(Op::Mul, {Expr::pkt(C(26), 4), C(3)});
  L.Fields.push_back(V);
  std::string Out, Err;
  EXPECT_FALSE(emitP4Sequencer(L, P4Options(), Out, Err));
  EXPECT_NE(Err.find("field 'mixed'"), std::string::npos) << Err;
}

TEST(P4Emitter, AlwaysRelevantNeedsNoTable) {
  auto L = srcIpLayout(C(1), C(26));
  std::string Out, Err;
  ASSERT_TRUE(emitP4Sequencer(L, P4Options(), Out, Err)) << Err;
  EXPECT_EQ(Out.find("table scr_relevance"), std::string::npos);
  EXPECT_NE(Out.find("scr_relevant();"), std::string::npos);
  EXPECT_NE(Out.find("if (v == 2) { v = 0; }"), std::string::npos);
}

// A conntrack-like layout: the source address, 4 * ihl + 4 * doff, and the
// sender predicate comparing the byte-swapped addresses.
static scr::Layout conntrackLike() {
  auto Ihl4 = Expr::make(Op::Mul, {Ihl(), C(4)});
  auto Guard = Expr::make(
      Op::LAnd,
      {Expr::make(Op::Uge, {Ihl(), C(5)}),
       Expr::make(Op::Uge, {Expr::len(), Expr::make(Op::Add, {Ihl4, C(34)})})});
  auto L = srcIpLayout(Guard, C(26));
  auto Doff4 = Expr::make(
      Op::Mul,
      {Expr::make(Op::Shr,
                  {Expr::pkt(Expr::make(Op::Add, {Ihl4, C(26)}), 1), C(4)}),
       C(4)});
  scr::Field V;
  V.Name = "hdr_len";
  V.K = scr::Field::Kind::Value;
  V.Bits = 7;
  V.BitOffset = 32;
  V.Value = Expr::make(Op::Add, {Ihl4, Doff4});
  L.Fields.push_back(V);
  scr::Field P;
  P.Name = "lo";
  P.K = scr::Field::Kind::Predicate;
  P.Bits = 1;
  P.BitOffset = 39;
  P.Value = Expr::make(Op::Ult, {swapped32(26), swapped32(30)});
  L.Fields.push_back(P);
  return L;
}

TEST(P4Emitter, ComputedValuesAndFieldComparisons) {
  auto L = conntrackLike();
  std::string Out, Err;
  ASSERT_TRUE(emitP4Sequencer(L, P4Options(), Out, Err)) << Err;
  EXPECT_NE(Out.find("meta.scr_d0 = hdr.pkt.b33 |-| hdr.pkt.b29;"),
            std::string::npos);
  EXPECT_NE(Out.find("            (5, 5) : scr_val_hdr_len_set(0x28);"),
            std::string::npos);
  // The word holding the predicate is packed in stage 2 (compare in 0,
  // table in 1), so its registers start at stage 3.
  ResourceReport R = planTofino(L, tofino1());
  EXPECT_EQ(R.WordFirstStage, (std::vector<unsigned>{1, 3}));
  EXPECT_NE(Out.find("// ---- stage 2: pack word(s) 1 of"), std::string::npos);
}

TEST(P4Emitter, RegisterStagesInTheProgramAreTheModels) {
  for (unsigned N : {3u, 5u, 12u}) {
    auto L = conntrackLike();
    L.HistoryLength = N;
    L.Cores = N + 1;
    std::string Out, Err;
    ASSERT_TRUE(emitP4Sequencer(L, P4Options(), Out, Err)) << Err;
    // (stage, register) as the program declares them.
    std::vector<std::pair<unsigned, std::string>> Got, Want;
    unsigned Stage = 0;
    std::istringstream In(Out);
    for (std::string Line; std::getline(In, Line);) {
      unsigned S;
      char Name[64];
      if (std::sscanf(Line.c_str(), "    // ---- stage %u (model) ----", &S) ==
          1)
        Stage = S;
      if (std::sscanf(Line.c_str(),
                      "    Register<bit<%*u>, bit<1>>(1, 0) %63[a-z0-9_];",
                      Name) == 1 &&
          std::string(Name).rfind("scr_hist_s", 0) == 0 &&
          std::isdigit(static_cast<unsigned char>(Name[10])))
        Got.push_back({Stage, Name});
    }
    for (const HistoryRegister &H : planTofino(L, tofino1()).Registers)
      Want.push_back({H.Stage, "scr_hist_s" + std::to_string(H.Slot) + "_w" +
                                   std::to_string(H.Word)});
    EXPECT_EQ(Got, Want) << "N = " << N;
  }
}

TEST(P4Emitter, RelevanceCannotCompareTwoFields) {
  auto Rel = Expr::make(Op::Ult, {Expr::pkt(C(26), 4), Expr::pkt(C(30), 4)});
  auto L = srcIpLayout(Rel, C(26));
  std::string Out, Err;
  EXPECT_FALSE(emitP4Sequencer(L, P4Options(), Out, Err));
  EXPECT_NE(Err.find("relevance"), std::string::npos) << Err;
  EXPECT_NE(Err.find("with constants only"), std::string::npos) << Err;
}

TEST(P4Emitter, KeySplitByAComparisonIsRefused) {
  // The relevance matches the address as one key, the predicate needs its
  // bytes apart: the parser cannot give both.
  auto L = conntrackLike();
  L.Relevance = Expr::make(Op::Ne, {Expr::pkt(C(26), 4), C(0)});
  L.Fields.erase(L.Fields.begin() + 1); // no L4 bytes needed
  std::string Out, Err;
  EXPECT_FALSE(emitP4Sequencer(L, P4Options(), Out, Err));
  EXPECT_NE(Err.find("a table key must be one field"), std::string::npos)
      << Err;
}
