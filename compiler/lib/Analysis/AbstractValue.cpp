//===- AbstractValue.cpp - The packet evaluator's abstract values ---------===//

#include "AbstractValue.h"

namespace scrcc {

using Op = scr::Expr::Op;

bool AbsVal::operator==(const AbsVal &O) const {
  return K == O.K && symEquals(S, O.S) && Map == O.Map && Maps == O.Maps &&
         Locals == O.Locals && LocalOff == O.LocalOff &&
         symEquals(NullIf, O.NullIf) && Global == O.Global &&
         Globals == O.Globals && MayPacket == O.MayPacket && Dirty == O.Dirty &&
         Cases == O.Cases;
}

bool mayBePacket(const AbsVal &V) {
  return V.K == AbsVal::Kind::PktPtr || V.K == AbsVal::Kind::DataEnd ||
         V.MayPacket;
}

static AbsVal joinValues(const AbsVal &A, const AbsVal &B, const SymRef &Cond);

AbsVal join(const AbsVal &A, const AbsVal &B, const SymRef &Cond) {
  if (A == B)
    return A;
  AbsVal V = joinValues(A, B, Cond);
  V.Cases.reset(); // different paths, different return cases
  return V;
}

static AbsVal joinValues(const AbsVal &A, const AbsVal &B, const SymRef &Cond) {
  using K = AbsVal::Kind;
  auto IsNull = [](const AbsVal &V) {
    return V.K == K::Scalar && !V.Dirty && V.S->isConst() && V.S->Value == 0;
  };
  // A header pointer or NULL, chosen by a packet check: a pointer that is
  // NULL exactly when the check says so.
  if (Cond &&
      ((A.K == K::PktPtr && IsNull(B)) || (B.K == K::PktPtr && IsNull(A)))) {
    bool PtrFirst = A.K == K::PktPtr;
    AbsVal V = PtrFirst ? A : B;
    SymRef NullHere = PtrFirst ? simplify(Sym::op(Op::LNot, {Cond})) : Cond;
    V.NullIf =
        V.NullIf ? simplify(Sym::op(Op::LOr, {NullHere, V.NullIf})) : NullHere;
    if (V.NullIf->tooLarge()) // past the Sym bounds: widened
      return AbsVal::unknown(true);
    return V;
  }
  if (Cond && A.K == B.K && A.K == K::PktPtr &&
      !symEquals(A.NullIf, B.NullIf)) {
    // Differing null conditions: both sides must be non-null to merge.
    if (A.NullIf || B.NullIf)
      return AbsVal::unknown(true);
  }
  if (Cond && A.K == B.K && (A.K == K::Scalar || A.K == K::PktPtr))
    if (SymRef S = joinIte(Cond, A.S, B.S)) { // else widened, below
      AbsVal V = A;
      V.S = std::move(S);
      V.Dirty = A.Dirty || B.Dirty;
      return V;
    }
  if ((A.K == K::Ptr || A.K == K::MapRef) &&
      (B.K == K::Ptr || B.K == K::MapRef) && A.K == B.K && A.K == K::Ptr) {
    AbsVal V = A;
    V.Maps.insert(B.Maps.begin(), B.Maps.end());
    V.Locals.insert(B.Locals.begin(), B.Locals.end());
    if (V.LocalOff != B.LocalOff || V.Locals.size() != 1)
      V.LocalOff = -1;
    V.Global |= B.Global;
    V.Globals.insert(B.Globals.begin(), B.Globals.end());
    return V;
  }
  // A pointer that may be null joined with a pointer keeps its targets.
  if (A.K == K::Ptr && B.K == K::Scalar && B.S->isConst() && B.S->Value == 0)
    return A;
  if (B.K == K::Ptr && A.K == K::Scalar && A.S->isConst() && A.S->Value == 0)
    return B;
  return AbsVal::unknown(mayBePacket(A) || mayBePacket(B));
}

} // namespace scrcc
