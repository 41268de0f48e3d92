//===- Symbolic.cpp - Symbolic values over the raw packet -----------------===//

#include "Symbolic.h"

#include "scrcc/Comparison.h"
#include "scrcc/ValueRange.h"

#include <algorithm>

namespace scrcc {

using Op = scr::Expr::Op;

/// Recomputes Nodes and Depth from the arguments (saturating, so a shared
/// DAG of any size cannot overflow them).
static void measure(Sym &S) {
  uint64_t Nodes = 1;
  unsigned Depth = 0;
  for (const SymRef &A : S.Args) {
    Nodes += A->Nodes;
    Depth = std::max(Depth, A->Depth);
  }
  S.Nodes = unsigned(std::min<uint64_t>(Nodes, 1u << 30));
  S.Depth = std::min(Depth + 1, 1u << 30);
}

SymRef Sym::constant(uint64_t V) {
  auto S = std::make_shared<Sym>();
  S->K = Kind::Const;
  S->Value = V;
  return S;
}

SymRef Sym::load(SymRef Offset, unsigned Bytes) {
  auto S = std::make_shared<Sym>();
  S->K = Kind::Load;
  S->Bytes = Bytes;
  S->Args = {std::move(Offset)};
  measure(*S);
  return S;
}

SymRef Sym::hostLoad(SymRef Offset, unsigned Bytes) {
  SymRef L = load(std::move(Offset), Bytes);
  return Bytes == 1 ? L : bswap(L, Bytes);
}

SymRef Sym::len() {
  auto S = std::make_shared<Sym>();
  S->K = Kind::Len;
  return S;
}

SymRef Sym::timestamp() {
  auto S = std::make_shared<Sym>();
  S->K = Kind::Timestamp;
  return S;
}

SymRef Sym::op(Op O, std::vector<SymRef> Args) {
  auto S = std::make_shared<Sym>();
  S->K = Kind::Op;
  S->O = O;
  S->Args = std::move(Args);
  measure(*S);
  return S;
}

SymRef Sym::bswap(SymRef X, unsigned Bytes) {
  auto S = std::make_shared<Sym>();
  S->K = Kind::Bswap;
  S->Bytes = Bytes;
  S->Args = {std::move(X)};
  measure(*S);
  return S;
}

bool Sym::equals(const Sym &B) const {
  if (K != B.K || Value != B.Value || Bytes != B.Bytes || O != B.O ||
      Args.size() != B.Args.size())
    return false;
  for (size_t I = 0; I < Args.size(); ++I)
    if (!Args[I]->equals(*B.Args[I]))
      return false;
  return true;
}

bool symEquals(const SymRef &A, const SymRef &B) {
  if (!A || !B)
    return A == B;
  return A->equals(*B);
}

bool Sym::mentionsTimestamp() const {
  if (K == Kind::Timestamp)
    return true;
  for (const auto &A : Args)
    if (A->mentionsTimestamp())
      return true;
  return false;
}

bool Sym::mentionsPacket() const {
  if (K == Kind::Load || K == Kind::Len)
    return true;
  for (const auto &A : Args)
    if (A->mentionsPacket())
      return true;
  return false;
}

static uint64_t swapBytes(uint64_t V, unsigned Bytes) {
  uint64_t R = 0;
  for (unsigned I = 0; I < Bytes; ++I)
    R = (R << 8) | ((V >> (8 * I)) & 0xff);
  return R;
}

static uint64_t maskOf(unsigned Bytes) {
  return Bytes >= 8 ? ~0ULL : ((1ULL << (8 * Bytes)) - 1);
}

/// Bounds of the values \p S can take: the layout's interval analysis
/// (ValueRange.h), with the leaves only symbolic values have.
static scr::ValueRange rangeOfSym(const SymRef &S) {
  switch (S->K) {
  case Sym::Kind::Const:
    return {S->Value, S->Value};
  case Sym::Kind::Load:
  case Sym::Kind::Bswap:
    return scr::loadRange(S->Bytes);
  case Sym::Kind::Len:
    return {0, scr::MaxFrameBytes};
  case Sym::Kind::Timestamp:
    return {};
  case Sym::Kind::Op:
    return scr::applyRange(S->O, S->Args.size(),
                           [&](unsigned I) { return rangeOfSym(S->Args[I]); });
  }
  return {};
}

/// Largest value \p S can take.
static uint64_t upperBound(const SymRef &S) { return rangeOfSym(S).Hi; }

unsigned significantBits(const SymRef &S) {
  uint64_t U = upperBound(S);
  unsigned B = 1;
  while (B < 64 && (U >> B) != 0)
    ++B;
  return B;
}

SymRef joinIte(const SymRef &Cond, const SymRef &A, const SymRef &B) {
  // Sizes first: simplifying a tree past the bounds is what must not run.
  if (uint64_t(Cond->Nodes) + A->Nodes + B->Nodes + 1 > MaxSymNodes ||
      std::max({Cond->Depth, A->Depth, B->Depth}) + 1 > MaxSymDepth)
    return nullptr;
  SymRef S = simplify(Sym::op(Op::Ite, {Cond, A, B}));
  return S->tooLarge() ? nullptr : S;
}

SymRef truncate(SymRef X, unsigned Bits) {
  if (Bits >= 64)
    return X;
  uint64_t M = (1ULL << Bits) - 1;
  if (upperBound(X) <= M)
    return X;
  return simplify(Sym::op(Op::And, {X, Sym::constant(M)}));
}

static bool isBoolean(const SymRef &S) { return upperBound(S) <= 1; }

static SymRef fold(const SymRef &S) {
  // Constant operands: evaluate with the layout's own semantics.
  bool AllConst = true;
  for (const auto &A : S->Args)
    AllConst &= A->isConst();
  if (S->K == Sym::Kind::Bswap && AllConst)
    return Sym::constant(swapBytes(S->Args[0]->Value, S->Bytes));
  // bswap(x & m) with m within byte j: that byte moves to n-1-j, as a
  // shift (`iph->saddr & 0xff` is the first address byte, not 32 bits).
  if (S->K == Sym::Kind::Bswap && S->Args[0]->K == Sym::Kind::Op &&
      S->Args[0]->O == Op::And && S->Args[0]->Args[1]->isConst()) {
    uint64_t M = S->Args[0]->Args[1]->Value;
    unsigned N = S->Bytes;
    for (unsigned J = 0; M && J < N; ++J)
      if ((M & ~(0xffULL << (8 * J))) == 0) {
        SymRef X = S->Args[0]->Args[0];
        SymRef Byte =
            Sym::op(Op::And, {Sym::op(Op::Shr, {X, Sym::constant(8 * J)}),
                              Sym::constant((M >> (8 * J)) & 0xff)});
        return simplify(
            Sym::op(Op::Shl, {Byte, Sym::constant(8 * (N - 1 - J))}));
      }
  }
  if (S->K != Sym::Kind::Op)
    return S;
  if (AllConst) {
    std::vector<scr::ExprRef> A;
    for (const auto &X : S->Args)
      A.push_back(scr::Expr::constant(X->Value));
    return Sym::constant(scr::Expr::make(S->O, A)->eval({}));
  }
  // Canonical form: constants on the right of commutative operators.
  if ((S->O == Op::Add || S->O == Op::Mul || S->O == Op::And ||
       S->O == Op::Or || S->O == Op::Xor || S->O == Op::Eq || S->O == Op::Ne) &&
      S->Args[0]->isConst() && !S->Args[1]->isConst())
    return fold(Sym::op(S->O, {S->Args[1], S->Args[0]}));
  const auto &A = S->Args;
  auto C = [&](unsigned I) -> std::optional<uint64_t> {
    if (I < A.size() && A[I]->isConst())
      return A[I]->Value;
    return std::nullopt;
  };
  switch (S->O) {
  case Op::Eq:
  case Op::Ne:
    // bswap(x) == C  <=>  x == bswap(C), when C fits in the swapped width.
    for (int I = 0; I < 2; ++I) {
      const SymRef &X = A[I];
      auto K = C(1 - I);
      if (X->K == Sym::Kind::Bswap && K && *K <= maskOf(X->Bytes) &&
          upperBound(X->Args[0]) <= maskOf(X->Bytes))
        return fold(Sym::op(
            S->O, {X->Args[0], Sym::constant(swapBytes(*K, X->Bytes))}));
      if (K && *K > upperBound(X))
        return Sym::constant(S->O == Op::Ne);
    }
    return S;
  case Op::And:
    // bswap(x) & C -> bswap(x & bswap(C)): keeps masks on raw packet bytes.
    for (int I = 0; I < 2; ++I)
      if (auto K = C(1 - I))
        if (A[I]->K == Sym::Kind::Bswap && *K <= maskOf(A[I]->Bytes))
          return Sym::bswap(
              fold(Sym::op(Op::And, {A[I]->Args[0], Sym::constant(swapBytes(
                                                        *K, A[I]->Bytes))})),
              A[I]->Bytes);
    for (int I = 0; I < 2; ++I)
      if (auto K = C(1 - I)) {
        if (*K == 0)
          return Sym::constant(0);
        if ((*K & upperBound(A[I])) == upperBound(A[I]) &&
            ((upperBound(A[I]) + 1) & upperBound(A[I])) == 0)
          return A[I];
      }
    return S;
  case Op::Add:
  case Op::Or:
  case Op::Xor:
    for (int I = 0; I < 2; ++I)
      if (C(1 - I) == 0ULL)
        return A[I];
    // (x + c1) + c2 -> x + (c1 + c2): keeps offsets readable.
    if (S->O == Op::Add && C(1) && A[0]->K == Sym::Kind::Op &&
        A[0]->O == Op::Add && A[0]->Args[1]->isConst())
      return Sym::op(Op::Add, {A[0]->Args[0],
                               Sym::constant(A[0]->Args[1]->Value + *C(1))});
    return S;
  case Op::Mul:
    for (int I = 0; I < 2; ++I) {
      if (C(1 - I) == 1ULL)
        return A[I];
      if (C(1 - I) == 0ULL)
        return Sym::constant(0);
    }
    return S;
  case Op::Shl:
  case Op::Shr:
  case Op::Sub:
    if (C(1) == 0ULL)
      return A[0];
    // A big-endian load shifted right by whole bytes is a shorter load
    // (of a size the layout has: 1, 2 or 4 bytes).
    if (S->O == Op::Shr && C(1) && *C(1) % 8 == 0 &&
        A[0]->K == Sym::Kind::Load) {
      unsigned K = *C(1) / 8;
      if (K >= A[0]->Bytes)
        return Sym::constant(0);
      unsigned Rest = A[0]->Bytes - K;
      if (Rest == 1 || Rest == 2 || Rest == 4)
        return Sym::load(A[0]->Args[0], Rest);
    }
    return S;
  case Op::LAnd:
    for (int I = 0; I < 2; ++I)
      if (auto K = C(I)) {
        if (*K == 0)
          return Sym::constant(0);
        return isBoolean(A[1 - I])
                   ? A[1 - I]
                   : fold(Sym::op(Op::Ne, {A[1 - I], Sym::constant(0)}));
      }
    return S;
  case Op::LOr:
    for (int I = 0; I < 2; ++I)
      if (auto K = C(I)) {
        if (*K != 0)
          return Sym::constant(1);
        return isBoolean(A[1 - I])
                   ? A[1 - I]
                   : fold(Sym::op(Op::Ne, {A[1 - I], Sym::constant(0)}));
      }
    return S;
  case Op::LNot:
    // !(a == b) -> a != b and friends keep predicates canonical.
    if (A[0]->K == Sym::Kind::Op) {
      if (scr::isComparison(A[0]->O))
        return Sym::op(scr::negatedComparison(A[0]->O), A[0]->Args);
      if (A[0]->O == Op::LNot && isBoolean(A[0]->Args[0]))
        return A[0]->Args[0];
    }
    return S;
  case Op::Ite:
    if (auto K = C(0))
      return *K ? A[1] : A[2];
    if (symEquals(A[1], A[2]))
      return A[1];
    return S;
  default:
    return S;
  }
}

SymRef simplify(const SymRef &S) {
  if (S->Args.empty())
    return S;
  auto N = std::make_shared<Sym>(*S);
  for (auto &A : N->Args)
    A = simplify(A);
  measure(*N);
  if (N->K == Sym::Kind::Bswap && N->Args[0]->K == Sym::Kind::Bswap &&
      N->Args[0]->Bytes == N->Bytes)
    return N->Args[0]->Args[0];
  return fold(N);
}

static SymRef substitute(const SymRef &S,
                         const std::vector<std::pair<SymRef, bool>> &Lits) {
  for (const auto &[L, V] : Lits) {
    if (S->equals(*L))
      return Sym::constant(V);
    // a != b is the negation of the canonical literal a == b.
    if (S->K == Sym::Kind::Op && S->O == Op::Ne && L->K == Sym::Kind::Op &&
        L->O == Op::Eq && Sym::op(Op::Eq, S->Args)->equals(*L))
      return Sym::constant(!V);
  }
  if (S->Args.empty())
    return S;
  auto N = std::make_shared<Sym>(*S);
  for (auto &A : N->Args)
    A = substitute(A, Lits);
  measure(*N);
  return N;
}

SymRef assume(const SymRef &S,
              const std::vector<std::pair<SymRef, bool>> &Literals) {
  return simplify(substitute(simplify(S), Literals));
}

static scr::ExprRef lowerBswap(scr::ExprRef X, unsigned Bytes) {
  scr::ExprRef R;
  for (unsigned I = 0; I < Bytes; ++I) {
    scr::ExprRef Byte = scr::Expr::make(
        Op::And, {scr::Expr::make(Op::Shr, {X, scr::Expr::constant(8 * I)}),
                  scr::Expr::constant(0xff)});
    scr::ExprRef Placed = scr::Expr::make(
        Op::Shl, {Byte, scr::Expr::constant(8 * (Bytes - 1 - I))});
    R = R ? scr::Expr::make(Op::Or, {R, Placed}) : Placed;
  }
  return R;
}

static std::optional<scr::ExprRef> lower(const SymRef &S);

/// Depth of a lowered expression; \p Seen memoises shared subexpressions
/// (a lowered byte swap uses its operand once per byte).
static unsigned exprDepth(const scr::Expr &E,
                          std::map<const scr::Expr *, unsigned> &Seen) {
  if (auto It = Seen.find(&E); It != Seen.end())
    return It->second;
  unsigned D = 0;
  for (const auto &A : E.Args)
    D = std::max(D, exprDepth(*A, Seen));
  return Seen[&E] = D + 1;
}

unsigned loweredDepth(const scr::Expr &E) {
  std::map<const scr::Expr *, unsigned> Seen;
  return exprDepth(E, Seen);
}

std::optional<scr::ExprRef> lowerToLayout(const SymRef &In) {
  auto E = lower(simplify(In));
  if (E && loweredDepth(**E) > scr::MaxExprDepth)
    return std::nullopt;
  return E;
}

static std::optional<scr::ExprRef> lower(const SymRef &S) {
  switch (S->K) {
  case Sym::Kind::Const:
    return scr::Expr::constant(S->Value);
  case Sym::Kind::Len:
    return scr::Expr::len();
  case Sym::Kind::Timestamp:
    return std::nullopt;
  case Sym::Kind::Load: {
    auto Off = lower(simplify(S->Args[0]));
    if (!Off)
      return std::nullopt;
    return scr::Expr::pkt(*Off, S->Bytes);
  }
  case Sym::Kind::Bswap: {
    auto X = lower(simplify(S->Args[0]));
    if (!X)
      return std::nullopt;
    return lowerBswap(*X, S->Bytes);
  }
  case Sym::Kind::Op: {
    std::vector<scr::ExprRef> A;
    for (const auto &X : S->Args) {
      auto L = lower(simplify(X));
      if (!L)
        return std::nullopt;
      A.push_back(*L);
    }
    return scr::Expr::make(S->O, A);
  }
  }
  return std::nullopt;
}

} // namespace scrcc
