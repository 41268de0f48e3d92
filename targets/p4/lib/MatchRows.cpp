//===- MatchRows.cpp - Layout expressions as Tofino match rows ------------===//

#include "MatchRows.h"

#include "scrcc/Comparison.h"

#include <algorithm>

namespace scrp4 {

using Op = scr::Expr::Op;
using scr::Expr;

Operand ihlOperand() { return {Region::Base, 14, 1, 3, 0, false}; }

static std::optional<uint64_t> constOf(const Expr &E) {
  if (E.K == Op::Const)
    return E.Value;
  return std::nullopt;
}

static bool isIhl(const Expr &E) {
  auto O = toOperand(E);
  return O && *O == ihlOperand();
}

namespace {
/// C + (Ihl4 ? 4 * IHL : 0)
struct Linear {
  uint64_t C = 0;
  bool Ihl4 = false;
};
} // namespace

static std::optional<Linear> linearOffset(const Expr &E) {
  if (auto C = constOf(E))
    return Linear{*C, false};
  if (E.K == Op::Add) {
    auto A = linearOffset(*E.Args[0]), B = linearOffset(*E.Args[1]);
    if (!A || !B || (A->Ihl4 && B->Ihl4))
      return std::nullopt;
    return Linear{A->C + B->C, A->Ihl4 || B->Ihl4};
  }
  if (E.K == Op::Mul)
    for (int I = 0; I < 2; ++I)
      if (constOf(*E.Args[I]) == 4ULL && isIhl(*E.Args[1 - I]))
        return Linear{0, true};
  if (E.K == Op::Shl && constOf(*E.Args[1]) == 2ULL && isIhl(*E.Args[0]))
    return Linear{0, true};
  return std::nullopt;
}

namespace {
/// C + sum of K_i * field_i: a bound computed from small packet fields, e.g.
/// the end of the TCP header 34 + 4 * IHL, or 4 * IHL + 4 * doff.
struct Affine {
  uint64_t C = 0;
  std::vector<std::pair<uint64_t, Operand>> Terms;
};
} // namespace

// Fields up to this many bits are enumerated value by value in a table, and
// at most this many value combinations of all fields of one bound.
static constexpr unsigned MaxEnumeratedBits = 8;
static constexpr uint64_t MaxCombinations = 1024;

static std::optional<Affine> affineBound(const Expr &E) {
  if (auto C = constOf(E))
    return Affine{*C, {}};
  if (auto O = toOperand(E);
      O && O->R != Region::Length && !O->Swapped &&
      O->width() <= MaxEnumeratedBits)
    return Affine{0, {{1, *O}}};
  auto Scale = [](Affine A, uint64_t K) {
    A.C *= K;
    for (auto &T : A.Terms)
      T.first *= K;
    return A;
  };
  if (E.K == Op::Add) {
    auto A = affineBound(*E.Args[0]), B = affineBound(*E.Args[1]);
    if (!A || !B)
      return std::nullopt;
    A->C += B->C;
    for (const auto &T : B->Terms) {
      auto It = std::find_if(A->Terms.begin(), A->Terms.end(),
                             [&](const auto &X) { return X.second == T.second; });
      if (It != A->Terms.end())
        It->first += T.first;
      else
        A->Terms.push_back(T);
    }
    return A;
  }
  if (E.K == Op::Mul)
    for (int I = 0; I < 2; ++I)
      if (auto K = constOf(*E.Args[I]))
        if (auto A = affineBound(*E.Args[1 - I]))
          return Scale(*A, *K);
  if (E.K == Op::Shl)
    if (auto S = constOf(*E.Args[1]); S && *S < 16)
      if (auto A = affineBound(*E.Args[0]))
        return Scale(*A, 1ULL << *S);
  return std::nullopt;
}

// Or-tree of ((X >> 8i) & 0xff) << 8(B-1-i) over all bytes of X: the
// lowering of a byte swap (bpf_ntohs/ntohl).
static void collectOr(const Expr &E, std::vector<const Expr *> &Terms) {
  if (E.K == Op::Or) {
    collectOr(*E.Args[0], Terms);
    collectOr(*E.Args[1], Terms);
  } else {
    Terms.push_back(&E);
  }
}

// The value X whose bytes \p E swaps (an or-tree of B byte moves), or null;
// \p Bytes receives B.
static const Expr *swapSource(const Expr &E, unsigned &Bytes) {
  std::vector<const Expr *> Terms;
  collectOr(E, Terms);
  if (Terms.size() < 2)
    return nullptr;
  const Expr *X = nullptr;
  std::vector<bool> Seen(Terms.size(), false);
  for (const Expr *T : Terms) {
    uint64_t To = 0, From = 0;
    if (T->K == Op::Shl) {
      auto S = constOf(*T->Args[1]);
      if (!S)
        return nullptr;
      To = *S;
      T = T->Args[0].get();
    }
    if (T->K != Op::And || constOf(*T->Args[1]) != 0xffULL)
      return nullptr;
    T = T->Args[0].get();
    if (T->K == Op::Shr) {
      auto S = constOf(*T->Args[1]);
      if (!S)
        return nullptr;
      From = *S;
      T = T->Args[0].get();
    }
    if (X && !X->equals(*T))
      return nullptr;
    X = T;
    unsigned B = Terms.size();
    if (From % 8 || To % 8 || From / 8 >= B || To != 8 * (B - 1 - From / 8) ||
        Seen[From / 8])
      return nullptr;
    Seen[From / 8] = true;
  }
  Bytes = unsigned(Terms.size());
  return X;
}

static std::optional<Operand> swappedOperand(const Expr &E) {
  unsigned Bytes = 0;
  const Expr *X = swapSource(E, Bytes);
  if (!X)
    return std::nullopt;
  auto O = toOperand(*X);
  if (!O || O->R == Region::Length || O->Swapped || O->Lo != 0 ||
      O->Hi != 8 * O->Bytes - 1 || O->Bytes != Bytes)
    return std::nullopt;
  O->Swapped = true;
  return O;
}

// X when \p E is a byte swap of X that loses no bits of X (so E is non-zero
// iff X is), e.g. bpf_ntohs(frag_off & 0x3fff); null otherwise.
static const Expr *losslessSwapSource(const Expr &E) {
  unsigned Bytes = 0;
  const Expr *X = E.K == Op::Or ? swapSource(E, Bytes) : nullptr;
  if (!X)
    return nullptr;
  unsigned Bits = 8 * Bytes;
  if (auto O = toOperand(*X); O && !O->Swapped && O->width() <= Bits)
    return X;
  if (X->K == Op::And)
    for (int I = 0; I < 2; ++I)
      if (auto M = constOf(*X->Args[I]); M && Bits < 64 && *M >> Bits == 0)
        return X;
  return nullptr;
}

std::optional<Operand> toOperand(const Expr &E) {
  switch (E.K) {
  case Op::Len:
    return Operand{Region::Length, 0, 2, 15, 0, false};
  case Op::Pkt: {
    auto L = linearOffset(*E.Args[0]);
    if (!L)
      return std::nullopt;
    if (!L->Ihl4)
      return Operand{Region::Base, unsigned(L->C), E.Bytes, 8 * E.Bytes - 1, 0,
                     false};
    if (L->C < 14)
      return std::nullopt;
    return Operand{Region::L4, unsigned(L->C - 14), E.Bytes, 8 * E.Bytes - 1,
                   0, false};
  }
  case Op::And:
    for (int I = 0; I < 2; ++I) {
      auto M = constOf(*E.Args[I]);
      if (!M || *M == 0 || ((*M + 1) & *M))
        continue; // only masks of low bits select a slice
      auto O = toOperand(*E.Args[1 - I]);
      if (!O || O->Swapped)
        return std::nullopt;
      unsigned Bits = 64 - __builtin_clzll(*M);
      O->Hi = std::min(O->Hi, O->Lo + Bits - 1);
      return O;
    }
    return std::nullopt;
  case Op::Shr: {
    auto S = constOf(*E.Args[1]);
    auto O = toOperand(*E.Args[0]);
    if (!S || !O || O->Swapped || O->Lo + *S > O->Hi)
      return std::nullopt;
    O->Lo += unsigned(*S);
    return O;
  }
  case Op::Or:
    return swappedOperand(E);
  default:
    return std::nullopt;
  }
}

static uint64_t swapBytes(uint64_t V, unsigned Bytes) {
  uint64_t R = 0;
  for (unsigned I = 0; I < Bytes; ++I)
    R = (R << 8) | ((V >> (8 * I)) & 0xff);
  return R;
}

static bool merge(Row &Into, const Row &From) {
  for (const auto &[O, R] : From.Ranges) {
    auto It = Into.Ranges.find(O);
    if (It == Into.Ranges.end()) {
      Into.Ranges[O] = R;
      continue;
    }
    It->second.Lo = std::max(It->second.Lo, R.Lo);
    It->second.Hi = std::min(It->second.Hi, R.Hi);
    if (It->second.Lo > It->second.Hi)
      return false;
  }
  for (const auto &[O, T] : From.Terns) {
    auto It = Into.Terns.find(O);
    if (It == Into.Terns.end()) {
      Into.Terns[O] = T;
      continue;
    }
    if ((It->second.Mask & T.Mask) & (It->second.Value ^ T.Value))
      return false;
    It->second.Value |= T.Value;
    It->second.Mask |= T.Mask;
  }
  return true;
}

static constexpr size_t MaxRows = 4096;

static std::optional<std::vector<Row>> both(std::vector<Row> A,
                                            std::vector<Row> B,
                                            std::string &Error) {
  std::vector<Row> Out;
  for (const Row &X : A)
    for (const Row &Y : B) {
      Row R = X;
      if (merge(R, Y))
        Out.push_back(std::move(R));
      if (Out.size() > MaxRows) {
        Error = "needs more than " + std::to_string(MaxRows) +
                " match entries";
        return std::nullopt;
      }
    }
  return Out;
}

// Values v in [0, Max] with "v OP C" (64-bit semantics of scr::Expr; v is
// zero-extended, so a signed compare with a non-negative v is unsigned
// against C when C >= 0 and constant otherwise).
static std::vector<Range> rangesOf(Op K, uint64_t C, uint64_t Max) {
  bool Neg = int64_t(C) < 0;
  switch (K) {
  case Op::Slt: if (Neg) return {}; K = Op::Ult; break;
  case Op::Sle: if (Neg) return {}; K = Op::Ule; break;
  case Op::Sgt: if (Neg) return {{0, Max}}; K = Op::Ugt; break;
  case Op::Sge: if (Neg) return {{0, Max}}; K = Op::Uge; break;
  default: break;
  }
  std::vector<Range> R;
  auto Add = [&](uint64_t Lo, uint64_t Hi) {
    Hi = std::min(Hi, Max);
    if (Lo <= Hi)
      R.push_back({Lo, Hi});
  };
  switch (K) {
  case Op::Eq: Add(C, C); break;
  case Op::Ne:
    if (C > 0) Add(0, C - 1);
    if (C < Max) Add(C + 1, Max);
    break;
  case Op::Ult: if (C > 0) Add(0, C - 1); break;
  case Op::Ule: Add(0, C); break;
  case Op::Ugt: if (C < ~0ULL) Add(C + 1, Max); break;
  case Op::Uge: Add(C, Max); break;
  default: break;
  }
  return R;
}

static std::vector<Row> rangeRows(const Operand &O,
                                  const std::vector<Range> &Rs) {
  std::vector<Row> Out;
  for (Range R : Rs) {
    Row Row;
    if (O.R == Region::Length) // pkt_length counts the FCS too
      R = {R.Lo + PktLengthFcsBytes,
           std::min<uint64_t>(R.Hi + PktLengthFcsBytes, 0xffff)};
    if (R.Lo > R.Hi)
      continue;
    Row.Ranges[O] = R;
    Out.push_back(Row);
  }
  return Out;
}

Operand DerivedValues::add(const Operand &Minuend, const Operand &Subtrahend) {
  size_t I = 0;
  while (I < Items.size() && !(Items[I].Minuend == Minuend &&
                               Items[I].Subtrahend == Subtrahend))
    ++I;
  if (I == Items.size())
    Items.push_back({Minuend, Subtrahend});
  unsigned Bytes = Minuend.Bytes;
  return {Region::Derived, unsigned(I), Bytes, 8 * Bytes - 1, 0, false};
}

// The digits of a whole packet field, most significant first: single bytes
// if \p Bytewise (byte-swapped values: their bytes in reverse order), else
// the field itself, or its 32-bit halves when it is wider than an ALU.
static std::vector<Operand> digitsOf(const Operand &O, bool Bytewise) {
  std::vector<Operand> D;
  unsigned Step = Bytewise ? 1 : std::min(O.Bytes, 4u);
  for (unsigned I = 0; I < O.Bytes; I += Step) {
    unsigned At = O.Swapped ? O.Offset + O.Bytes - Step - I : O.Offset + I;
    D.push_back({O.R, At, Step, 8 * Step - 1, 0, false});
  }
  return D;
}

// X OP Y for two packet fields: per digit i, lt_i = y_i |-| x_i (non-zero iff
// x_i < y_i) and gt_i = x_i |-| y_i; then X < Y iff some lt_i is non-zero
// while every more significant digit pair is equal (lt = gt = 0), etc.
static std::optional<std::vector<Row>> fieldCompareRows(Op K, const Expr &X,
                                                        const Expr &Y,
                                                        DerivedValues &D,
                                                        std::string &Error) {
  auto XO = toOperand(X), YO = toOperand(Y);
  auto Whole = [](const std::optional<Operand> &O) {
    return O && (O->R == Region::Base || O->R == Region::L4) && O->Lo == 0 &&
           O->Hi == 8 * O->Bytes - 1;
  };
  if (!Whole(XO) || !Whole(YO) || XO->Bytes != YO->Bytes) {
    Error = "compares `" + X.str() + "` with `" + Y.str() +
            "`; the switch compares two packet values only when both are "
            "whole packet fields (or byte swaps of them) of the same width";
    return std::nullopt;
  }
  if (scr::isSignedComparison(K) && XO->Bytes == 8) {
    Error = "compares 64-bit packet fields `" + X.str() + "` and `" + Y.str() +
            "` as signed values, which the switch cannot do";
    return std::nullopt;
  }
  // Narrower than 64 bits, both are zero-extended: signed order = unsigned.
  K = scr::unsignedComparison(K);
  bool Bytewise = XO->Swapped || YO->Swapped;
  std::vector<Operand> XD = digitsOf(*XO, Bytewise), YD = digitsOf(*YO, Bytewise);
  std::vector<Operand> Lt, Gt;
  for (size_t I = 0; I < XD.size(); ++I) {
    Lt.push_back(D.add(YD[I], XD[I]));
    Gt.push_back(D.add(XD[I], YD[I]));
  }
  auto EqualAbove = [&](size_t N) {
    Row R;
    for (size_t J = 0; J < N; ++J) {
      R.Ranges[Lt[J]] = {0, 0};
      R.Ranges[Gt[J]] = {0, 0};
    }
    return R;
  };
  std::vector<Row> Out;
  auto Strict = [&](const std::vector<Operand> &Side) {
    for (size_t I = 0; I < Side.size(); ++I) {
      Row R = EqualAbove(I);
      R.Ranges[Side[I]] = {1, Side[I].maxValue()};
      Out.push_back(R);
    }
  };
  switch (K) {
  case Op::Eq: Out.push_back(EqualAbove(XD.size())); break;
  case Op::Ne:
    for (size_t I = 0; I < XD.size(); ++I) {
      Row A, B;
      A.Ranges[Lt[I]] = {1, Lt[I].maxValue()};
      B.Ranges[Gt[I]] = {1, Gt[I].maxValue()};
      Out.push_back(A);
      Out.push_back(B);
    }
    break;
  case Op::Ult: Strict(Lt); break;
  case Op::Ugt: Strict(Gt); break;
  case Op::Ule: Strict(Lt); Out.push_back(EqualAbove(XD.size())); break;
  case Op::Uge: Strict(Gt); Out.push_back(EqualAbove(XD.size())); break;
  default: break;
  }
  return Out;
}

static std::optional<std::vector<Row>> compareRows(Op K, const Expr &A,
                                                   const Expr &B,
                                                   std::string &Error,
                                                   DerivedValues *D) {
  const Expr *X = &A, *Y = &B;
  if (constOf(*X) && !constOf(*Y)) {
    std::swap(X, Y);
    K = scr::mirroredComparison(K);
  }
  if (Y->K == Op::Len && X->K != Op::Len) { // bound OP len: len first
    std::swap(X, Y);
    K = scr::mirroredComparison(K);
  }
  if (constOf(*X) && constOf(*Y)) {
    bool V = Expr::make(K, {Expr::constant(*constOf(*X)),
                            Expr::constant(*constOf(*Y))})
                 ->eval({});
    return V ? std::vector<Row>{Row{}} : std::vector<Row>{};
  }
  // len OP c + k * field (e.g. the end of the TCP header, 34 + 4 * IHL),
  // or a packet field against such a bound: one row set per value of the
  // bound's fields, each a range of the other side.
  if (!constOf(*Y)) {
    if (auto XO = toOperand(*X), YO = toOperand(*Y);
        (!XO || XO->width() <= MaxEnumeratedBits) && YO &&
        YO->width() > MaxEnumeratedBits && affineBound(*X)) {
      std::swap(X, Y); // the wide field is matched, the bound enumerated
      K = scr::mirroredComparison(K);
    }
    auto Lhs = toOperand(*X);
    auto A = affineBound(*Y);
    if (Lhs && !Lhs->Swapped && A && !A->Terms.empty()) {
      uint64_t Combos = 1;
      for (const auto &T : A->Terms)
        Combos *= T.second.maxValue() + 1;
      if (Combos > MaxCombinations) {
        Error = "compares `" + X->str() + "` with `" + Y->str() +
                "`, which would need one match entry per value of its "
                "fields (more than " +
                std::to_string(MaxCombinations) + ")";
        return std::nullopt;
      }
      uint64_t Max = Lhs->R == Region::Length ? 0xffff : Lhs->maxValue();
      std::vector<Row> Out;
      for (uint64_t I = 0; I < Combos; ++I) {
        Row Fixed;
        uint64_t Bound = A->C, Rest = I;
        for (const auto &[K, O] : A->Terms) {
          uint64_t V = Rest % (O.maxValue() + 1);
          Rest /= O.maxValue() + 1;
          Bound += K * V;
          Fixed.Ranges[O] = {V, V};
        }
        for (Row R : rangeRows(*Lhs, rangesOf(K, Bound, Max))) {
          if (!merge(R, Fixed))
            continue; // e.g. the compared field is one of the bound's
          Out.push_back(R);
          if (Out.size() > MaxRows) {
            Error = "needs more than " + std::to_string(MaxRows) +
                    " match entries";
            return std::nullopt;
          }
        }
      }
      return Out;
    }
    if (X->K == Op::Len) {
      Error = "compares the frame length with `" + Y->str() +
              "`, which a Tofino match table cannot compute (supported: c + "
              "k * packet fields of at most " +
              std::to_string(MaxEnumeratedBits) + " bits)";
      return std::nullopt;
    }
  }
  auto C = constOf(*Y);
  if (!C && D && toOperand(*X) && toOperand(*Y))
    return fieldCompareRows(K, *X, *Y, *D, Error);
  if (!C) {
    Error = "compares `" + X->str() + "` with `" + Y->str() +
            "`; a Tofino match table compares packet fields with constants only";
    return std::nullopt;
  }
  // (x & M) == c with a mask that is not a low-bit slice: ternary match.
  if (X->K == Op::And && (K == Op::Eq || K == Op::Ne) && !toOperand(*X))
    for (int I = 0; I < 2; ++I) {
      auto M = constOf(*X->Args[I]);
      auto O = M ? toOperand(*X->Args[1 - I]) : std::nullopt;
      if (!O || O->Swapped)
        continue;
      uint64_t Mask = (*M >> O->Lo) & O->maxValue();
      if (*C & ~Mask) // (x & M) can never equal c
        return K == Op::Eq ? std::vector<Row>{} : std::vector<Row>{Row{}};
      std::vector<Row> Out;
      if (K == Op::Eq) {
        Row R;
        R.Terns[*O] = {*C, Mask};
        Out.push_back(R);
      } else {
        for (unsigned Bit = 0; Bit < 64; ++Bit)
          if (Mask >> Bit & 1) {
            Row R;
            R.Terns[*O] = {(~*C) & (1ULL << Bit), 1ULL << Bit};
            Out.push_back(R);
          }
      }
      return Out;
    }
  auto O = toOperand(*X);
  if (!O) {
    Error = "reads `" + X->str() +
            "`, which is not a packet field, slice or byte swap the Tofino "
            "parser can extract";
    return std::nullopt;
  }
  if (O->Swapped) {
    if (K != Op::Eq && K != Op::Ne) {
      Error = "orders a byte-swapped value (`" + X->str() +
              "`); only == and != are supported on swapped fields";
      return std::nullopt;
    }
    if (*C > O->maxValue())
      return K == Op::Eq ? std::vector<Row>{} : std::vector<Row>{Row{}};
    Operand Raw = *O;
    Raw.Swapped = false;
    return rangeRows(Raw, rangesOf(K, swapBytes(*C, O->Bytes), O->maxValue()));
  }
  return rangeRows(*O, rangesOf(K, *C, O->maxValue()));
}

std::optional<std::vector<Row>> toRows(const Expr &E, bool Negate,
                                       std::string &Error, DerivedValues *D) {
  switch (E.K) {
  case Op::Const:
    return (E.Value != 0) != Negate ? std::vector<Row>{Row{}}
                                    : std::vector<Row>{};
  case Op::LNot:
    return toRows(*E.Args[0], !Negate, Error, D);
  case Op::LAnd:
  case Op::LOr: {
    auto A = toRows(*E.Args[0], Negate, Error, D);
    if (!A)
      return std::nullopt;
    auto B = toRows(*E.Args[1], Negate, Error, D);
    if (!B)
      return std::nullopt;
    if ((E.K == Op::LAnd) != Negate)
      return both(std::move(*A), std::move(*B), Error);
    A->insert(A->end(), B->begin(), B->end());
    if (A->size() > MaxRows) {
      Error = "needs more than " + std::to_string(MaxRows) + " match entries";
      return std::nullopt;
    }
    return A;
  }
  default:
    break;
  }
  if (scr::isComparison(E.K))
    return compareRows(Negate ? scr::negatedComparison(E.K) : E.K, *E.Args[0],
                       *E.Args[1], Error, D);
  // A value in boolean context: non-zero. A lossless byte swap is non-zero
  // iff its source is.
  if (const Expr *X = losslessSwapSource(E))
    return toRows(*X, Negate, Error, D);
  if (toOperand(E) || E.K == Op::And)
    return compareRows(Negate ? Op::Eq : Op::Ne, E, *Expr::constant(0), Error,
                       D);
  Error = "uses `" + E.str() + "`, which a Tofino match table cannot evaluate";
  return std::nullopt;
}

bool rowImpliesL4(const Row &R, unsigned L4Bytes) {
  Range Ihl{0, 15}, Len{0, 0xffff};
  if (auto It = R.Ranges.find(ihlOperand()); It != R.Ranges.end())
    Ihl = It->second;
  for (const auto &[O, Rg] : R.Ranges)
    if (O.R == Region::Length)
      Len = Rg;
  return Ihl.Lo >= 5 &&
         Len.Lo >= 14 + 4 * Ihl.Hi + L4Bytes + PktLengthFcsBytes;
}

std::vector<Masked> rangeToPrefixes(uint64_t Lo, uint64_t Hi, unsigned Bits) {
  std::vector<Masked> Out;
  uint64_t All = Bits >= 64 ? ~0ULL : (1ULL << Bits) - 1;
  while (Lo <= Hi) {
    // Largest aligned block starting at Lo that stays within [Lo, Hi].
    unsigned Size = 0;
    while (Size < Bits && (Lo & ((2ULL << Size) - 1)) == 0 &&
           Lo + ((2ULL << Size) - 1) <= Hi)
      ++Size;
    uint64_t Block = Size >= 64 ? ~0ULL : (1ULL << Size) - 1;
    Out.push_back({Lo, All & ~Block});
    if (Lo + Block >= Hi || Lo + Block == All)
      break;
    Lo += Block + 1;
  }
  return Out;
}

} // namespace scrp4
