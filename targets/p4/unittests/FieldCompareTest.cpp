//===- FieldCompareTest.cpp - Comparing two packet fields on the switch ---===//
//
// The match rows of a comparison between two packet fields, evaluated the
// way the switch does (saturating differences, then range matches), must
// agree with the layout's own evaluator on every frame.
//
//===----------------------------------------------------------------------===//

#include "ExprBuilders.h"
#include "MatchRows.h"

#include <gtest/gtest.h>

#include <random>

using namespace scrp4;
using Op = scr::Expr::Op;
using scr::Expr;

namespace {

using scrp4::test::C;
using scrp4::test::swapped32;

// What the switch sees for an operand on frame \p P.
uint64_t operandValue(const Operand &O, const DerivedValues &D,
                      const std::vector<uint8_t> &P) {
  if (O.R == Region::Derived) {
    const SatSub &S = D.Items[O.Offset];
    uint64_t A = operandValue(S.Minuend, D, P),
             B = operandValue(S.Subtrahend, D, P);
    return A > B ? A - B : 0; // P4 |-|
  }
  if (O.R == Region::Length)
    return P.size() + PktLengthFcsBytes;
  unsigned Base = O.R == Region::L4 ? 14 + 4 * (P[14] & 0xf) : 0;
  uint64_t V = Expr::pkt(C(Base + O.Offset), O.Bytes)->eval(P);
  return (V >> O.Lo) & O.maxValue();
}

bool rowsMatch(const std::vector<Row> &Rows, const DerivedValues &D,
               const std::vector<uint8_t> &P) {
  for (const Row &R : Rows) {
    bool All = true;
    for (const auto &[O, Rg] : R.Ranges) {
      uint64_t V = operandValue(O, D, P);
      All &= Rg.Lo <= V && V <= Rg.Hi;
    }
    for (const auto &[O, T] : R.Terns)
      All &= (operandValue(O, D, P) & T.Mask) == (T.Value & T.Mask);
    if (All)
      return true;
  }
  return false;
}

} // namespace

TEST(FieldCompare, AgreesWithTheReferenceOnRandomFrames) {
  // Conntrack's sender test and its variants: byte-swapped addresses and
  // plain 16-bit ports behind the IPv4 header (IHL 5 here).
  auto Sa = swapped32(26), Da = swapped32(30);
  auto Sp = Expr::pkt(C(34), 2), Dp = Expr::pkt(C(36), 2);
  auto Conntrack = Expr::make(
      Op::LOr, {Expr::make(Op::Ult, {Sa, Da}),
                Expr::make(Op::LAnd, {Expr::make(Op::Eq, {Sa, Da}),
                                      Expr::make(Op::Ule, {Sp, Dp})})});
  std::vector<scr::ExprRef> Cases = {Conntrack};
  for (Op K :
       {Op::Eq, Op::Ne, Op::Ult, Op::Ule, Op::Ugt, Op::Uge, Op::Slt, Op::Sge}) {
    Cases.push_back(Expr::make(K, {Sa, Da}));
    Cases.push_back(Expr::make(K, {Sp, Dp}));
    Cases.push_back(Expr::make(K, {Expr::pkt(C(26), 4), Expr::pkt(C(30), 4)}));
  }
  std::mt19937_64 Rng(6);
  for (const auto &E : Cases)
    for (bool Negate : {false, true}) {
      DerivedValues D;
      std::string Err;
      auto Rows = toRows(*E, Negate, Err, &D);
      ASSERT_TRUE(Rows) << E->str() << ": " << Err;
      for (int I = 0; I < 3000; ++I) {
        std::vector<uint8_t> P(60);
        for (uint8_t &B : P)
          B = uint8_t(Rng() % 4); // small values: many equal bytes
        P[14] = 0x45;
        if (Rng() % 3 == 0) // equal addresses, so the ports decide
          std::copy(P.begin() + 26, P.begin() + 30, P.begin() + 30);
        bool Want = (E->eval(P) != 0) != Negate;
        ASSERT_EQ(rowsMatch(*Rows, D, P), Want) << E->str() << " frame " << I;
      }
    }
}

TEST(FieldCompare, SwappedFieldsAreComparedByteByByte) {
  DerivedValues D;
  std::string Err;
  auto Rows = toRows(*Expr::make(Op::Ult, {swapped32(26), swapped32(30)}),
                     false, Err, &D);
  ASSERT_TRUE(Rows) << Err;
  ASSERT_EQ(D.Items.size(), 8u); // lt and gt per byte
  // Most significant digit of the swapped value: the last byte.
  EXPECT_EQ(D.Items[0].Minuend.Offset, 33u);
  EXPECT_EQ(D.Items[0].Subtrahend.Offset, 29u);
  EXPECT_EQ(D.Items[0].Minuend.Bytes, 1u);
  EXPECT_EQ(Rows->size(), 4u);
}

TEST(FieldCompare, RefusedWithoutDerivedValuesOrOnMismatchedWidths) {
  std::string Err;
  auto E = Expr::make(Op::Ult, {Expr::pkt(C(34), 2), Expr::pkt(C(36), 2)});
  EXPECT_FALSE(toRows(*E, false, Err)); // e.g. in the relevance
  EXPECT_NE(Err.find("with constants only"), std::string::npos) << Err;
  DerivedValues D;
  auto Mixed = Expr::make(Op::Ult, {Expr::pkt(C(34), 2), Expr::pkt(C(26), 4)});
  EXPECT_FALSE(toRows(*Mixed, false, Err, &D));
  EXPECT_NE(Err.find("of the same width"), std::string::npos) << Err;
  auto Wide = Expr::make(Op::Slt, {Expr::pkt(C(26), 8), Expr::pkt(C(34), 8)});
  EXPECT_FALSE(toRows(*Wide, false, Err, &D));
  EXPECT_NE(Err.find("as signed values"), std::string::npos) << Err;
}
