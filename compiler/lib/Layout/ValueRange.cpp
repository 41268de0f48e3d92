//===- ValueRange.cpp - Bounds of the values of a layout expression -------===//

#include "scrcc/ValueRange.h"

#include "scrcc/Comparison.h"

#include <algorithm>
#include <bit>
#include <vector>

namespace scr {

using Op = Expr::Op;

namespace {
const ValueRange Full{0, ~0ULL};

uint64_t allOnesCovering(uint64_t V) {
  return V == 0 ? 0 : (~0ULL >> std::countl_zero(V));
}
} // namespace

ValueRange loadRange(unsigned Bytes) {
  return {0, Bytes >= 8 ? ~0ULL : (1ULL << (8 * Bytes)) - 1};
}

ValueRange applyRange(Op K, unsigned NumArgs,
                      const std::function<ValueRange(unsigned)> &ArgRange) {
  auto R = [&](unsigned I) { return ArgRange(I); };
  switch (K) {
  case Op::Const:
  case Op::Pkt:
  case Op::Len:
    return Full; // leaves: the caller knows them
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
      uint64_t V = K == Op::Or ? A.Lo | B.Lo : A.Lo ^ B.Lo;
      return {V, V};
    }
    return {K == Op::Or ? std::max(A.Lo, B.Lo) : 0,
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
    if (K == Op::LNot || K == Op::LAnd || K == Op::LOr || isComparison(K)) {
      // Fold constant operands so that constant predicates stay constant.
      std::vector<ExprRef> Points;
      for (unsigned I = 0; I < NumArgs; ++I) {
        ValueRange A = R(I);
        if (!A.isPoint())
          return {0, 1};
        Points.push_back(Expr::constant(A.Lo));
      }
      uint64_t V = Expr::make(K, std::move(Points))->eval({});
      return {V, V};
    }
    return Full;
  }
}

ValueRange rangeOf(const Expr &E) {
  switch (E.K) {
  case Op::Const:
    return {E.Value, E.Value};
  case Op::Pkt:
    return loadRange(E.Bytes);
  case Op::Len:
    return {0, MaxFrameBytes};
  default:
    return applyRange(E.K, E.Args.size(),
                      [&](unsigned I) { return rangeOf(*E.Args[I]); });
  }
}

} // namespace scr
