//===- ComparisonTest.cpp - Negating and mirroring comparisons ------------===//
//
// Checked against the layout's own evaluator on operands chosen around the
// signed and unsigned boundaries: a wrong entry in the table would make
// the simplifier or a match-row builder invert a predicate.
//
//===----------------------------------------------------------------------===//

#include "scrcc/Comparison.h"

#include <gtest/gtest.h>

using namespace scr;
using Op = Expr::Op;

namespace {

const Op AllComparisons[] = {Op::Eq,  Op::Ne,  Op::Ult, Op::Ule, Op::Ugt,
                             Op::Uge, Op::Slt, Op::Sle, Op::Sgt, Op::Sge};
const uint64_t Samples[] = {0,     1,          2,          0x7f,
                            0x80,  0xff,       0x7fffffff, 0x80000000,
                            ~0ULL, ~0ULL >> 1, 1ULL << 63};

uint64_t eval(Op K, uint64_t A, uint64_t B) {
  return Expr::make(K, {Expr::constant(A), Expr::constant(B)})->eval({});
}

TEST(Comparison, NegationHoldsExactlyWhenTheComparisonDoesNot) {
  for (Op K : AllComparisons)
    for (uint64_t A : Samples)
      for (uint64_t B : Samples)
        EXPECT_EQ(eval(negatedComparison(K), A, B), 1 - eval(K, A, B))
            << opName(K) << " " << A << " " << B;
}

TEST(Comparison, MirrorSwapsTheOperands) {
  for (Op K : AllComparisons)
    for (uint64_t A : Samples)
      for (uint64_t B : Samples)
        EXPECT_EQ(eval(mirroredComparison(K), B, A), eval(K, A, B))
            << opName(K) << " " << A << " " << B;
}

TEST(Comparison, UnsignedVariantAgreesBelowTheSignBit) {
  for (Op K : AllComparisons) {
    EXPECT_EQ(isSignedComparison(K), unsignedComparison(K) != K);
    for (uint64_t A : Samples)
      for (uint64_t B : Samples) {
        if (A > 0xffffffff || B > 0xffffffff)
          continue; // only zero-extended 32-bit values
        EXPECT_EQ(eval(unsignedComparison(K), A, B), eval(K, A, B))
            << opName(K) << " " << A << " " << B;
      }
  }
}

TEST(Comparison, OtherOperatorsAreLeftAlone) {
  for (Op K : AllComparisons)
    EXPECT_TRUE(isComparison(K));
  for (Op K : {Op::Const, Op::Pkt, Op::Len, Op::Add, Op::And, Op::LAnd, Op::LOr,
               Op::LNot, Op::Not, Op::Ite}) {
    EXPECT_FALSE(isComparison(K)) << opName(K);
    EXPECT_FALSE(isSignedComparison(K));
    EXPECT_EQ(negatedComparison(K), K);
    EXPECT_EQ(mirroredComparison(K), K);
    EXPECT_EQ(unsignedComparison(K), K);
  }
}

} // namespace
