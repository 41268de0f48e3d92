//===- ValueRangeTest.cpp - Bounds of the values of layout expressions ----===//
//
// Soundness on sample frames (every value a frame gives lies in the range)
// and the precision the compiler's field widths rely on.
//
//===----------------------------------------------------------------------===//

#include "scrcc/ValueRange.h"

#include <gtest/gtest.h>

using namespace scr;
using Op = Expr::Op;

namespace {

ExprRef c(uint64_t V) { return Expr::constant(V); }
ExprRef pkt(uint64_t Off, unsigned Bytes) { return Expr::pkt(c(Off), Bytes); }
ExprRef op(Op K, std::vector<ExprRef> A) { return Expr::make(K, std::move(A)); }

std::vector<std::vector<uint8_t>> sampleFrames() {
  std::vector<std::vector<uint8_t>> Frames = {
      {}, std::vector<uint8_t>(64, 0), std::vector<uint8_t>(64, 0xff)};
  std::vector<uint8_t> Ramp(1500);
  for (size_t I = 0; I < Ramp.size(); ++I)
    Ramp[I] = uint8_t(I * 37);
  Frames.push_back(Ramp);
  return Frames;
}

void expectSound(const ExprRef &E) {
  ValueRange R = rangeOf(*E);
  for (const auto &F : sampleFrames()) {
    uint64_t V = E->eval(F);
    EXPECT_LE(R.Lo, V) << E->str();
    EXPECT_LE(V, R.Hi) << E->str();
  }
}

TEST(ValueRange, LeavesAndArithmetic) {
  EXPECT_EQ(rangeOf(*pkt(0, 2)).Hi, 0xffffu);
  EXPECT_EQ(rangeOf(*pkt(0, 8)).Hi, ~0ULL);
  EXPECT_EQ(rangeOf(*Expr::len()).Hi, MaxFrameBytes);
  ValueRange Ihl =
      rangeOf(*op(Op::Mul, {op(Op::And, {pkt(14, 1), c(0xf)}), c(4)}));
  EXPECT_EQ(Ihl.Lo, 0u);
  EXPECT_EQ(Ihl.Hi, 60u);
  // 255 - byte cannot wrap: 8 bits, not 64.
  EXPECT_EQ(rangeOf(*op(Op::Sub, {c(255), pkt(0, 1)})).Hi, 255u);
  // byte - 1 may wrap.
  EXPECT_EQ(rangeOf(*op(Op::Sub, {pkt(0, 1), c(1)})).Hi, ~0ULL);
}

TEST(ValueRange, ConstantPredicatesStayConstant) {
  ValueRange R = rangeOf(*op(Op::Ult, {op(Op::And, {pkt(3, 1), c(0)}), c(1)}));
  EXPECT_TRUE(R.isPoint());
  EXPECT_EQ(R.Lo, 1u);
  R = rangeOf(*op(Op::Eq, {pkt(3, 1), c(1)}));
  EXPECT_EQ(R.Lo, 0u);
  EXPECT_EQ(R.Hi, 1u);
}

TEST(ValueRange, SoundOnSampleFrames) {
  for (const ExprRef &E :
       {pkt(12, 2), op(Op::Add, {pkt(12, 2), pkt(14, 1)}),
        op(Op::Sub, {Expr::len(), c(14)}), op(Op::Sub, {c(300), pkt(20, 1)}),
        op(Op::Shl, {pkt(14, 1), c(4)}), op(Op::Shr, {pkt(26, 4), c(24)}),
        op(Op::Or, {pkt(1, 1), c(0x100)}), op(Op::Xor, {pkt(1, 1), pkt(2, 2)}),
        op(Op::Not, {c(5)}),
        op(Op::Ite, {op(Op::Eq, {pkt(23, 1), c(17)}), c(8), pkt(40, 1)}),
        op(Op::LAnd, {pkt(0, 1), pkt(1, 1)}), op(Op::Sge, {pkt(0, 8), c(0)})})
    expectSound(E);
}

TEST(ValueRange, TransferFunctionAsksOnlyForTheOperandsItNeeds) {
  unsigned Asked = 0;
  ValueRange R = applyRange(Op::Eq, 2, [&](unsigned I) {
    ++Asked;
    return I == 0 ? ValueRange{0, 9} : ValueRange{3, 3};
  });
  EXPECT_EQ(Asked, 1u); // the first operand is not a point: 0 or 1
  EXPECT_EQ(R.Hi, 1u);
}

} // namespace
