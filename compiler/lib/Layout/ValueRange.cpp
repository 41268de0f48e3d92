//===- ValueRange.cpp - Bounds of the values of a layout expression -------===//

#include "scrcc/ValueRange.h"

#include "scrcc/Comparison.h"

#include <algorithm>
#include <bit>

namespace scr {

using Op = Expr::Op;

namespace {
const ValueRange Full{0, ~0ULL};

uint64_t allOnesCovering(uint64_t V) {
  return V == 0 ? 0 : (~0ULL >> std::countl_zero(V));
}
} // namespace

ValueRange rangeOf(const Expr &E) {
  auto R = [&](unsigned I) { return rangeOf(*E.Args[I]); };
  switch (E.K) {
  case Op::Const:
    return {E.Value, E.Value};
  case Op::Pkt:
    return {0, E.Bytes >= 8 ? ~0ULL : (1ULL << (8 * E.Bytes)) - 1};
  case Op::Len:
    return {0, MaxFrameBytes};
  case Op::Add: {
    ValueRange A = R(0), B = R(1);
    uint64_t Hi;
    if (__builtin_add_overflow(A.Hi, B.Hi, &Hi))
      return Full;
    return {A.Lo + B.Lo, Hi};
  }
  case Op::Sub: {
    ValueRange A = R(0), B = R(1);
    if (A.Lo < B.Hi)
      return Full; // may wrap
    return {A.Lo - B.Hi, A.Hi - B.Lo};
  }
  case Op::Mul: {
    ValueRange A = R(0), B = R(1);
    uint64_t Hi;
    if (__builtin_mul_overflow(A.Hi, B.Hi, &Hi))
      return Full;
    return {A.Lo * B.Lo, Hi};
  }
  case Op::And: {
    ValueRange A = R(0), B = R(1);
    if (A.isPoint() && B.isPoint())
      return {A.Lo & B.Lo, A.Lo & B.Lo};
    return {0, std::min(A.Hi, B.Hi)};
  }
  case Op::Or:
  case Op::Xor: {
    ValueRange A = R(0), B = R(1);
    if (A.isPoint() && B.isPoint()) {
      uint64_t V = E.K == Op::Or ? A.Lo | B.Lo : A.Lo ^ B.Lo;
      return {V, V};
    }
    return {E.K == Op::Or ? std::max(A.Lo, B.Lo) : 0,
            allOnesCovering(std::max(A.Hi, B.Hi))};
  }
  case Op::Shl: {
    ValueRange A = R(0), S = R(1);
    if (!S.isPoint())
      return Full;
    if (S.Lo >= 64)
      return {0, 0};
    if (A.Hi > (~0ULL >> S.Lo))
      return Full;
    return {A.Lo << S.Lo, A.Hi << S.Lo};
  }
  case Op::Shr: {
    ValueRange A = R(0), S = R(1);
    if (!S.isPoint())
      return {0, A.Hi};
    if (S.Lo >= 64)
      return {0, 0};
    return {A.Lo >> S.Lo, A.Hi >> S.Lo};
  }
  case Op::Not: {
    ValueRange A = R(0);
    if (A.isPoint())
      return {~A.Lo, ~A.Lo};
    return Full;
  }
  case Op::Ite: {
    ValueRange C = R(0), A = R(1), B = R(2);
    if (C.isPoint())
      return C.Lo ? A : B;
    return {std::min(A.Lo, B.Lo), std::max(A.Hi, B.Hi)};
  }
  default: // comparisons and logical operators
    if (E.K == Op::LNot || E.K == Op::LAnd || E.K == Op::LOr ||
        isComparison(E.K)) {
      // Fold constant operands so that constant predicates stay constant.
      bool AllPoints = true;
      for (const auto &A : E.Args)
        AllPoints &= rangeOf(*A).isPoint();
      if (AllPoints) {
        uint64_t V = E.eval({});
        return {V, V};
      }
      return {0, 1};
    }
    return Full;
  }
}

} // namespace scr
