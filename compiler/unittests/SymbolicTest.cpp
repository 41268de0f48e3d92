//===- SymbolicTest.cpp - Symbolic values over the raw packet -------------===//

#include "Analysis/Symbolic.h"

#include <gtest/gtest.h>

using namespace scrcc;
using Op = scr::Expr::Op;

namespace {

SymRef c(uint64_t V) { return Sym::constant(V); }
/// What `*(__u16 *)(data + Off)` is on the little-endian BPF target.
SymRef host16(uint64_t Off) { return Sym::hostLoad(c(Off), 2); }

/// Evaluates the lowered form of \p S on \p Frame.
uint64_t evalOn(const SymRef &S, std::vector<uint8_t> Frame) {
  auto E = lowerToLayout(S);
  EXPECT_TRUE(E.has_value());
  return E ? (*E)->eval(Frame) : ~0ULL;
}

TEST(Symbolic, HostLoadIsTheSwappedNetworkLoad) {
  std::vector<uint8_t> F(16, 0);
  F[12] = 0x08, F[13] = 0x06;
  EXPECT_EQ(evalOn(host16(12), F), 0x0608u);
  EXPECT_EQ(evalOn(Sym::load(c(12), 2), F), 0x0806u);
  EXPECT_TRUE(Sym::hostLoad(c(3), 1)->equals(*Sym::load(c(3), 1)));
}

TEST(Symbolic, ComparisonWithAConstantFoldsTheByteSwapIntoIt) {
  // eth->h_proto == bpf_htons(ETH_P_IP): the sequencer compares the raw
  // bytes with 0x0800 and needs no byte swap.
  SymRef S = simplify(Sym::op(Op::Eq, {host16(12), c(0x0008)}));
  auto E = lowerToLayout(S);
  ASSERT_TRUE(E);
  EXPECT_EQ((*E)->K, Op::Eq);
  EXPECT_EQ((*E)->Args[0]->K, Op::Pkt);
  ASSERT_EQ((*E)->Args[1]->K, Op::Const);
  EXPECT_EQ((*E)->Args[1]->Value, 0x0800u);
}

TEST(Symbolic, NegatedComparisonBecomesTheInverseComparison) {
  SymRef X = Sym::load(c(23), 1);
  const std::pair<Op, Op> Inverse[] = {{Op::Eq, Op::Ne},   {Op::Ne, Op::Eq},
                                       {Op::Ult, Op::Uge}, {Op::Uge, Op::Ult},
                                       {Op::Ule, Op::Ugt}, {Op::Ugt, Op::Ule},
                                       {Op::Slt, Op::Sge}, {Op::Sge, Op::Slt},
                                       {Op::Sle, Op::Sgt}, {Op::Sgt, Op::Sle}};
  for (auto [From, To] : Inverse) {
    SymRef N = simplify(Sym::op(Op::LNot, {Sym::op(From, {X, Sym::len()})}));
    ASSERT_EQ(N->K, Sym::Kind::Op);
    EXPECT_EQ(N->O, To) << scr::opName(From);
  }
}

TEST(Symbolic, SignificantBitsFollowTheValueRange) {
  EXPECT_EQ(significantBits(Sym::load(c(0), 2)), 16u);
  EXPECT_EQ(significantBits(Sym::load(c(0), 4)), 32u);
  EXPECT_EQ(significantBits(Sym::op(Op::And, {Sym::load(c(0), 4), c(0xff)})),
            8u);
  EXPECT_EQ(significantBits(Sym::op(Op::Eq, {Sym::len(), c(60)})), 1u);
  EXPECT_EQ(significantBits(Sym::len()), 16u);
  EXPECT_EQ(significantBits(c(5)), 3u);
  EXPECT_EQ(significantBits(Sym::timestamp()), 64u);
}

TEST(Symbolic, TruncateMasksOnlyWhatCanBeWider) {
  SymRef Byte = Sym::load(c(0), 1);
  EXPECT_TRUE(symEquals(truncate(Byte, 8), Byte));
  SymRef Word = Sym::load(c(0), 4);
  SymRef T = truncate(Word, 8);
  EXPECT_FALSE(symEquals(T, Word));
  EXPECT_EQ(evalOn(T, {0x12, 0x34, 0x56, 0x78}), 0x78u);
  EXPECT_TRUE(symEquals(truncate(Word, 64), Word));
}

TEST(Symbolic, TheTimestampCannotBeLowered) {
  EXPECT_FALSE(lowerToLayout(Sym::timestamp()));
  EXPECT_FALSE(lowerToLayout(Sym::op(Op::Add, {Sym::timestamp(), c(1)})));
  EXPECT_TRUE(Sym::timestamp()->mentionsTimestamp());
  EXPECT_FALSE(Sym::timestamp()->mentionsPacket());
  EXPECT_TRUE(Sym::len()->mentionsPacket());
}

TEST(Symbolic, JoinOfEqualValuesIsThatValue) {
  SymRef Cond = Sym::op(Op::Eq, {Sym::load(c(23), 1), c(17)});
  SymRef X = Sym::load(c(26), 4);
  EXPECT_TRUE(symEquals(joinIte(Cond, X, X), X));
  SymRef J = joinIte(Cond, c(1), c(2));
  ASSERT_TRUE(J);
  std::vector<uint8_t> Udp(30, 0), Tcp(30, 0);
  Udp[23] = 17, Tcp[23] = 6;
  EXPECT_EQ(evalOn(J, Udp), 1u);
  EXPECT_EQ(evalOn(J, Tcp), 2u);
}

TEST(Symbolic, JoinPastTheBoundsIsWidened) {
  // A chain deeper than MaxSymDepth: the join refuses to build it, and the
  // evaluator widens the value to unknown.
  SymRef Deep = Sym::load(c(0), 1);
  for (unsigned I = 0; I < MaxSymDepth; ++I)
    Deep = Sym::op(Op::Xor, {Deep, Sym::load(c(I % 60), 1)});
  EXPECT_TRUE(Deep->tooLarge());
  SymRef Cond = Sym::op(Op::Eq, {Sym::len(), c(60)});
  EXPECT_EQ(joinIte(Cond, Deep, c(0)), nullptr);
}

TEST(Symbolic, ConstantsFoldWithTheLayoutsSemantics) {
  SymRef S = simplify(Sym::op(Op::Shl, {c(1), c(64)}));
  ASSERT_TRUE(S->isConst());
  EXPECT_EQ(S->Value, 0u); // shifts by 64 or more give 0
  S = simplify(Sym::op(Op::Slt, {c(~0ULL), c(0)}));
  ASSERT_TRUE(S->isConst());
  EXPECT_EQ(S->Value, 1u); // -1 < 0 signed
}

} // namespace
