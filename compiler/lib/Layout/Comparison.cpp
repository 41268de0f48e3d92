//===- Comparison.cpp - The comparison operators of layout expressions ----===//

#include "scrcc/Comparison.h"

namespace scr {

using Op = Expr::Op;

namespace {
/// Each comparison with its negation, its mirror and its unsigned variant.
struct ComparisonInfo {
  Op K, Negated, Mirrored, Unsigned;
};
constexpr ComparisonInfo Comparisons[] = {
    {Op::Eq, Op::Ne, Op::Eq, Op::Eq},     {Op::Ne, Op::Eq, Op::Ne, Op::Ne},
    {Op::Ult, Op::Uge, Op::Ugt, Op::Ult}, {Op::Ule, Op::Ugt, Op::Uge, Op::Ule},
    {Op::Ugt, Op::Ule, Op::Ult, Op::Ugt}, {Op::Uge, Op::Ult, Op::Ule, Op::Uge},
    {Op::Slt, Op::Sge, Op::Sgt, Op::Ult}, {Op::Sle, Op::Sgt, Op::Sge, Op::Ule},
    {Op::Sgt, Op::Sle, Op::Slt, Op::Ugt}, {Op::Sge, Op::Slt, Op::Sle, Op::Uge},
};

const ComparisonInfo *infoOf(Op K) {
  for (const ComparisonInfo &C : Comparisons)
    if (C.K == K)
      return &C;
  return nullptr;
}
} // namespace

bool isComparison(Op K) { return infoOf(K) != nullptr; }

bool isSignedComparison(Op K) {
  const ComparisonInfo *C = infoOf(K);
  return C && C->Unsigned != K;
}

Op negatedComparison(Op K) {
  const ComparisonInfo *C = infoOf(K);
  return C ? C->Negated : K;
}

Op mirroredComparison(Op K) {
  const ComparisonInfo *C = infoOf(K);
  return C ? C->Mirrored : K;
}

Op unsignedComparison(Op K) {
  const ComparisonInfo *C = infoOf(K);
  return C ? C->Unsigned : K;
}

} // namespace scr
