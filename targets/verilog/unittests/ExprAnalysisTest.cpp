//===- ExprAnalysisTest.cpp - Soundness of the extractor's analyses -------===//
//
// The Verilog extractor multiplexes a computed load only over the offsets
// rangeOf() and knownBitsOf() allow. An unsound rule there silently drops the
// offset a frame actually uses, so both analyses are checked against the
// layout's own evaluator: on random expressions over random frames, every
// value must lie in the range and agree with every bit claimed known.
//
//===----------------------------------------------------------------------===//

#include "ExprHardware.h"

#include <gtest/gtest.h>

#include <random>

using scr::Expr;
using scr::ExprRef;
using Op = Expr::Op;
using scr::verilog::knownBitsOf;
using scr::verilog::rangeOf;

namespace {

ExprRef C(uint64_t V) { return Expr::constant(V); }

/// Random expressions in the shapes layouts have: header loads, masks,
/// shifts by constants, offset arithmetic, comparisons and choices.
class ExprGen {
public:
  explicit ExprGen(uint32_t Seed) : R(Seed) {}

  ExprRef gen(unsigned Depth) {
    if (Depth == 0 || pick(4) == 0)
      return leaf();
    static const Op Binary[] = {Op::Add, Op::Sub, Op::Mul,  Op::And, Op::Or,
                                Op::Xor, Op::Eq,  Op::Ne,   Op::Ult, Op::Uge,
                                Op::Slt, Op::Sge, Op::LAnd, Op::LOr};
    switch (pick(6)) {
    case 0:
      return Expr::make(pick(2) ? Op::Shl : Op::Shr,
                        {gen(Depth - 1), C(pick(20))});
    case 1:
      return Expr::make(pick(2) ? Op::Not : Op::LNot, {gen(Depth - 1)});
    case 2:
      return Expr::make(Op::Ite,
                        {gen(Depth - 1), gen(Depth - 1), gen(Depth - 1)});
    case 3: // a load at a computed offset, like a port behind IPv4 options
      return Expr::pkt(gen(Depth - 1), width());
    default:
      return Expr::make(Binary[pick(std::size(Binary))],
                        {gen(Depth - 1), gen(Depth - 1)});
    }
  }

private:
  ExprRef leaf() {
    switch (pick(5)) {
    case 0:
      return Expr::len();
    case 1: // a small constant, a mask or a huge one
      return C(pick(3) == 0 ? R() : pick(3) == 0 ? 0xf : pick(64));
    case 2: // the IPv4 header length in bytes, a typical offset part
      return Expr::make(
          Op::Mul, {Expr::make(Op::And, {Expr::pkt(C(14), 1), C(15)}), C(4)});
    default:
      return Expr::pkt(C(pick(80)), width());
    }
  }
  unsigned width() { return 1u << pick(4); }
  uint64_t pick(uint64_t N) { return R() % N; }

  std::mt19937_64 R;
};

TEST(ExprAnalysis, RangeAndKnownBitsHoldOnRandomFrames) {
  ExprGen G(20261126);
  std::mt19937 R(7);
  std::vector<std::vector<uint8_t>> Frames;
  for (unsigned F = 0; F < 24; ++F) {
    std::vector<uint8_t> P(R() % 160);
    for (auto &B : P)
      B = uint8_t(R());
    Frames.push_back(P);
  }
  Frames.push_back({}); // no bytes at all: every load reads zero
  for (unsigned I = 0; I < 20000; ++I) {
    ExprRef E = G.gen(1 + I % 4);
    auto Range = rangeOf(*E);
    auto Known = knownBitsOf(*E);
    ASSERT_EQ(Known.Zero & Known.One, 0u) << E->str();
    for (const auto &P : Frames) {
      uint64_t V = E->eval(P);
      ASSERT_LE(Range.Lo, V) << E->str() << " on " << P.size() << " bytes";
      ASSERT_LE(V, Range.Hi) << E->str() << " on " << P.size() << " bytes";
      ASSERT_EQ(V & Known.Zero, 0u) << E->str() << " = " << V;
      ASSERT_EQ(V & Known.One, Known.One) << E->str() << " = " << V;
    }
  }
}

TEST(ExprAnalysis, PortBehindIpv4OptionsIsSixteenPlusFourK) {
  // 14 + (pkt8[14] & 0xf) * 4 + 2: the TCP destination port's offset.
  ExprRef Ihl4 = Expr::make(
      Op::Mul, {Expr::make(Op::And, {Expr::pkt(C(14), 1), C(15)}), C(4)});
  ExprRef Off = Expr::make(Op::Add, {Expr::make(Op::Add, {C(14), Ihl4}), C(2)});
  auto Range = rangeOf(*Off);
  auto Known = knownBitsOf(*Off);
  EXPECT_EQ(Range.Lo, 16u);
  EXPECT_EQ(Range.Hi, 76u);
  EXPECT_EQ(Known.Zero & 3, 3u) << "the two low bits are known zero";
  EXPECT_EQ(Known.One & 3, 0u);
}

TEST(ExprAnalysis, CarryIntoKnownBitsIsNotClaimed) {
  // (pkt8[15] & 1) + 3 is 3 or 4: no bit below 3 is known.
  ExprRef E = Expr::make(
      Op::Add, {Expr::make(Op::And, {Expr::pkt(C(15), 1), C(1)}), C(3)});
  auto Known = knownBitsOf(*E);
  EXPECT_EQ(Known.known() & 7, 0u);
  EXPECT_EQ(Known.Zero >> 3, ~0ULL >> 3) << "bits 3.. are zero";
}

} // namespace
