//===- PacketEvaluator.cpp - Abstract interpretation of XDP code ----------===//

#include "PacketEvaluator.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Attr.h"
#include "clang/AST/ParentMapContext.h"
#include "clang/AST/RecordLayout.h"
#include "clang/Lex/Lexer.h"

using namespace clang;

namespace scrcc {

using Op = scr::Expr::Op;

std::string atomicBuiltinName(const AtomicExpr *AE, const ASTContext &Ctx) {
  const SourceManager &SM = Ctx.getSourceManager();
  SourceLocation L = SM.getSpellingLoc(AE->getBuiltinLoc());
  unsigned Len = Lexer::MeasureTokenLength(L, SM, Ctx.getLangOpts());
  return std::string(SM.getCharacterData(L), Len);
}

static void intersect(std::vector<Literal> &A, const std::vector<Literal> &B) {
  std::vector<Literal> R;
  for (const auto &L : A)
    for (const auto &M : B)
      if (L.second == M.second && symEquals(L.first, M.first)) {
        R.push_back(L);
        break;
      }
  A = std::move(R);
}

/// Packet conditions kept per path (docs/supported.md#analysis-limits). A
/// path's literals are necessary conditions, so forgetting the ones past
/// the bound only weakens the relevance filter; keeping them all made a
/// chain of N checks cost N^3 time at the joins of its N returns.
static constexpr size_t MaxPathLiterals = 64;

/// Canonical literals implied by "\p C is \p Value".
static void literalsOf(const SymRef &C, bool Value, std::vector<Literal> &Out) {
  if (Out.size() >= MaxPathLiterals)
    return;
  SymRef S = simplify(C);
  if (S->isConst())
    return;
  if (S->K == Sym::Kind::Op) {
    if (S->O == Op::LAnd && Value) {
      literalsOf(S->Args[0], true, Out);
      literalsOf(S->Args[1], true, Out);
      return;
    }
    if (S->O == Op::LOr && !Value) {
      literalsOf(S->Args[0], false, Out);
      literalsOf(S->Args[1], false, Out);
      return;
    }
    if (S->O == Op::LNot) {
      literalsOf(S->Args[0], !Value, Out);
      return;
    }
    if (S->O == Op::Ne) {
      Out.push_back({Sym::op(Op::Eq, S->Args), !Value});
      return;
    }
  }
  Out.push_back({S, Value});
}

const FunctionDecl *directCallee(const CallExpr *C) {
  const FunctionDecl *F = C->getDirectCallee();
  if (!F)
    return nullptr;
  if (const FunctionDecl *Def = F->getDefinition())
    return Def;
  return F;
}

namespace {

/// A part of a local aggregate (or a scalar local written through a
/// pointer): the local, the byte offset and the size of the access.
struct CellKey {
  const VarDecl *Var;
  int64_t Off;
  uint64_t Bytes;
  bool operator<(const CellKey &O) const {
    return std::tie(Var, Off, Bytes) < std::tie(O.Var, O.Off, O.Bytes);
  }
};

struct Env {
  bool Live = true;
  /// Scalar locals (and parameters) by declaration. A local missing here
  /// has not been given a value on this path (reading it would be
  /// undefined), so a join keeps the value from the path that set it: a
  /// parser's out-parameter is set only on its success path.
  std::map<const VarDecl *, AbsVal> Vars;
  /// Members of local structs and arrays: `nh.pos`, `key.saddr`.
  std::map<CellKey, AbsVal> Cells;
  std::vector<Literal> Lits;
  bool PacketWritten = false;

  /// Forgets everything known about the contents of \p V: it holds some
  /// value (its members, unknown, are simply absent from Cells).
  void forget(const VarDecl *V) {
    undefine(V);
    Vars[V] = AbsVal::unknown();
  }
  /// \p V is declared again: it holds no value yet.
  void undefine(const VarDecl *V) {
    Vars.erase(V);
    Cells.erase(Cells.lower_bound({V, INT64_MIN, 0}),
                Cells.lower_bound({V, INT64_MAX, UINT64_MAX}));
  }
};

/// A packet-only literal that holds on every path into \p A and whose
/// negation holds on every path into \p B: the branch that separated them
/// (a break in one iteration against one in the next, two gotos to one
/// label). Joining under it keeps packet values exact.
/// True if the literals \p Lits imply that \p C is \p Value: one of them
/// says so, or \p C is a disjunction (conjunction) all of whose parts they
/// imply false (true): `!is_vlan(p)` split into `p != 0x81` and
/// `p != 0xa888` implies `!(p == 0x81 || p == 0xa888)`.
static bool implies(const std::vector<Literal> &Lits, const SymRef &C,
                    bool Value, unsigned Depth = 0) {
  for (const Literal &L : Lits)
    if (L.second == Value && symEquals(L.first, C))
      return true;
  if (Depth > 8 || C->K != Sym::Kind::Op)
    return false;
  if (C->O == Op::LNot)
    return implies(Lits, C->Args[0], !Value, Depth + 1);
  if ((C->O == Op::LOr && !Value) || (C->O == Op::LAnd && Value)) {
    for (const SymRef &Part : C->Args)
      if (!implies(Lits, Part, Value, Depth + 1))
        return false;
    return true;
  }
  return false;
}

static SymRef separatingLiteral(const Env &A, const Env &B) {
  auto Truth = [](const SymRef &C, bool Value) {
    return Value ? C : simplify(Sym::op(Op::LNot, {C}));
  };
  for (const Literal &L : A.Lits)
    if (implies(B.Lits, L.first, !L.second))
      return Truth(L.first, L.second);
  for (const Literal &M : B.Lits)
    if (implies(A.Lits, M.first, !M.second))
      return Truth(M.first, !M.second);
  return nullptr;
}

/// Joins two maps of values; a key on one side only is kept from that side
/// if \p KeepOneSided (the other path never set it), else dropped.
template <typename Map>
static void joinMaps(Map &Out, const Map &A, const Map &B, const SymRef &Cond,
                     bool KeepOneSided) {
  for (const auto &[D, V] : A) {
    auto It = B.find(D);
    if (It != B.end())
      Out[D] = join(V, It->second, Cond);
    else if (KeepOneSided)
      Out[D] = V;
  }
  if (KeepOneSided)
    for (const auto &[D, V] : B)
      Out.emplace(D, V);
}

Env joinEnv(const Env &A, const Env &B, const SymRef &GivenCond) {
  if (!A.Live)
    return B;
  if (!B.Live)
    return A;
  SymRef Cond = GivenCond ? GivenCond : separatingLiteral(A, B);
  Env R;
  R.PacketWritten = A.PacketWritten || B.PacketWritten;
  R.Lits = A.Lits;
  intersect(R.Lits, B.Lits);
  joinMaps(R.Vars, A.Vars, B.Vars, Cond, /*KeepOneSided=*/true);
  joinMaps(R.Cells, A.Cells, B.Cells, Cond, /*KeepOneSided=*/false);
  return R;
}

template <typename Map> static bool sameMap(const Map &A, const Map &B) {
  if (A.size() != B.size())
    return false;
  for (const auto &[D, V] : A) {
    auto It = B.find(D);
    if (It == B.end() || !(It->second == V))
      return false;
  }
  return true;
}

bool sameEnv(const Env &A, const Env &B) {
  return A.Live == B.Live && A.Lits.size() == B.Lits.size() &&
         A.PacketWritten == B.PacketWritten && sameMap(A.Vars, B.Vars) &&
         sameMap(A.Cells, B.Cells);
}

struct LoopCtx {
  std::vector<Env> Breaks, Continues;
  bool IsSwitch = false;
};

struct Frame {
  const FunctionDecl *F;
  std::vector<Env> Returns;
  std::optional<AbsVal> RetVal;
  /// The value of each return, in the order of Returns.
  std::vector<AbsVal> RetVals;
  std::vector<LoopCtx> Loops;
  /// Every return so far returned a constant: here with its literals.
  ReturnCases RetCases;
  bool CasesOk = true;
  /// Forward gotos not yet joined at their label, with the state at each.
  std::map<const LabelDecl *, std::vector<std::pair<const GotoStmt *, Env>>>
      Gotos;
};

class Evaluator {
public:
  Evaluator(Program &P, EvalResult &R)
      : P(P), R(R), Ctx(P.Ctx), Diags(P.Diags) {}

  void run() {
    const FunctionDecl *E = P.Entry;
    if (E->getNumParams() != 1) {
      Diags.error(E->getLocation(),
                  "XDP entry must take exactly one argument (struct xdp_md *)");
      return;
    }
    Env En;
    En.Vars[E->getParamDecl(0)] = ctxVal();
    callFunction(E, En, {ctxVal()}, E->getLocation());
  }

private:
  Program &P;
  EvalResult &R;
  ASTContext &Ctx;
  Diagnostics &Diags;
  std::vector<Frame> Stack;
  std::set<const Stmt *> Reported;
  /// The latest value of each expression and when it was computed (for
  /// return cases, which must come from the same evaluation).
  std::map<const Expr *, std::pair<uint64_t, AbsVal>> Fresh;
  uint64_t Generation = 0;
  /// Expressions and calls being evaluated (docs/supported.md).
  unsigned EvalDepth = 0;
  static constexpr unsigned MaxEvalDepth = 10000;

  static AbsVal ctxVal() {
    AbsVal V;
    V.K = AbsVal::Kind::Ctx;
    return V;
  }

  void error(const Stmt *S, const std::string &Msg) {
    if (Reported.insert(S).second)
      Diags.error(S->getBeginLoc(), Msg);
  }

  AbsVal record(const Expr *E, AbsVal V) {
    auto [It, New] = R.Values.emplace(E, V);
    if (!New && !(It->second == V))
      It->second = join(It->second, V, nullptr);
    return V;
  }

  unsigned bitsOf(QualType T) { return Ctx.getTypeSize(T); }

  /// Converts \p V to type \p T with C semantics, as far as it is modelled.
  AbsVal convert(AbsVal V, QualType From, QualType To) {
    if (V.K != AbsVal::Kind::Scalar)
      return V;
    if (To->isBooleanType())
      return AbsVal::scalar(simplify(Sym::op(Op::Ne, {V.S, Sym::constant(0)})));
    if (!To->isIntegerType() || !From->isIntegerType()) {
      if (To->isPointerType() || To->isIntegerType())
        return V; // int <-> pointer casts keep the value
      return AbsVal::unknown();
    }
    unsigned FB = bitsOf(From), TB = bitsOf(To);
    bool FromSigned = From->isSignedIntegerType();
    // A signed value that might be negative would need sign extension:
    // only values provably small are modelled.
    AbsVal Out = V;
    if (FromSigned && TB > FB) {
      SymRef T = truncate(V.S, FB - 1);
      if (!symEquals(T, V.S)) {
        AbsVal U = AbsVal::unknown();
        U.Dirty = V.Dirty;
        return U;
      }
    }
    if (TB < 64)
      Out.S = truncate(V.S, To->isSignedIntegerType() ? TB - 1 : TB);
    if (To->isSignedIntegerType() && TB < 64 && !symEquals(Out.S, V.S)) {
      AbsVal U = AbsVal::unknown();
      U.Dirty = V.Dirty;
      return U;
    }
    return Out;
  }

  //===------------------------------------------------------------------===//
  // Expressions
  //===------------------------------------------------------------------===//

  /// \p V, or "unknown" if its symbolic value is past the Sym bounds (the
  /// slicer then carries the packet values it is computed from).
  static AbsVal bounded(AbsVal V) {
    if (!V.S || !V.S->tooLarge())
      return V;
    AbsVal U = AbsVal::unknown(V.K == AbsVal::Kind::PktPtr);
    U.Dirty = V.Dirty;
    return U;
  }

  AbsVal eval(const Expr *E, Env &En) {
    // The walk recurses on the expression tree: bound it (Depth is
    // restored when a scope of evalImpl returns).
    struct Nest {
      unsigned &D;
      ~Nest() { --D; }
    } N{++EvalDepth};
    if (EvalDepth > MaxEvalDepth) {
      error(E, "expression nested more than " + std::to_string(MaxEvalDepth) +
                   " levels deep (scrcc's analysis limit)");
      return AbsVal::unknown();
    }
    uint64_t Start = ++Generation;
    AbsVal V = evalImpl(E, En);
    V = bounded(std::move(V));
    V.Cases = V.K == AbsVal::Kind::Unknown ? casesOf(E, V, Start) : nullptr;
    Fresh[E] = {++Generation, V};
    return record(E, V);
  }

  /// \p V as a value of integer type \p T, sign- or zero-extended to 64
  /// bits (C's conversion of a constant).
  int64_t normalise(int64_t V, QualType T) {
    if (T->isBooleanType())
      return V != 0;
    unsigned Bits = bitsOf(T);
    if (Bits >= 64)
      return V;
    uint64_t U = (uint64_t)V & ((1ULL << Bits) - 1);
    if (T->isSignedIntegerType() && (U >> (Bits - 1)))
      U |= ~((1ULL << Bits) - 1);
    return (int64_t)U;
  }

  /// The value of \p E from the evaluation that started at \p Start, if
  /// it ran since (the operands of the expression being evaluated).
  const AbsVal *freshValue(const Expr *E, uint64_t Start) {
    auto It = Fresh.find(E);
    return It == Fresh.end() || It->second.first < Start ? nullptr
                                                         : &It->second.second;
  }

  /// Return cases of \p E (evaluated to the unknown \p V): kept through
  /// parentheses, conversions, assignments and calls, and turned into
  /// truth values by a comparison with a constant or by `!`.
  std::shared_ptr<const ReturnCases> casesOf(const Expr *E, const AbsVal &V,
                                             uint64_t Start) {
    if (!V.Cases) {
      if (const auto *BO = dyn_cast<BinaryOperator>(E);
          BO && BO->isComparisonOp()) {
        const AbsVal *L = freshValue(BO->getLHS(), Start);
        const AbsVal *R = freshValue(BO->getRHS(), Start);
        if (!L || !R)
          return nullptr;
        auto IsConst = [](const AbsVal *A) {
          return A->K == AbsVal::Kind::Scalar && !A->Dirty && A->S->isConst();
        };
        QualType T = BO->getLHS()->getType();
        if (!T->isIntegerType())
          return nullptr;
        bool Swap = false;
        if (L->Cases && IsConst(R))
          Swap = false;
        else if (R->Cases && IsConst(L))
          Swap = true;
        else
          return nullptr;
        const ReturnCases &In = Swap ? *R->Cases : *L->Cases;
        int64_t C = normalise((int64_t)(Swap ? L : R)->S->Value, T);
        auto Out = std::make_shared<ReturnCases>();
        for (const auto &[Lits, X] : In) {
          int64_t A = Swap ? C : X, B = Swap ? X : C;
          bool Signed = T->isSignedIntegerType();
          bool Lt = Signed ? A < B : (uint64_t)A < (uint64_t)B;
          bool Gt = Signed ? A > B : (uint64_t)A > (uint64_t)B;
          bool Truth = false;
          switch (BO->getOpcode()) {
          case BO_EQ:
            Truth = A == B;
            break;
          case BO_NE:
            Truth = A != B;
            break;
          case BO_LT:
            Truth = Lt;
            break;
          case BO_GT:
            Truth = Gt;
            break;
          case BO_LE:
            Truth = !Gt;
            break;
          case BO_GE:
            Truth = !Lt;
            break;
          default:
            return nullptr;
          }
          Out->push_back({Lits, Truth});
        }
        return Out;
      }
      if (const auto *UO = dyn_cast<UnaryOperator>(E);
          UO && UO->getOpcode() == UO_LNot) {
        const AbsVal *S = freshValue(UO->getSubExpr(), Start);
        if (!S || !S->Cases)
          return nullptr;
        auto Out = std::make_shared<ReturnCases>();
        for (const auto &[Lits, X] : *S->Cases)
          Out->push_back({Lits, X == 0});
        return Out;
      }
      return nullptr;
    }
    // The value passed through unchanged: only where C keeps it (or
    // converts it, which the cases follow).
    if (isa<ParenExpr>(E) || isa<CallExpr>(E))
      return V.Cases;
    const auto *BO = dyn_cast<BinaryOperator>(E);
    if (isa<CastExpr>(E) ||
        (BO && (BO->getOpcode() == BO_Assign || BO->getOpcode() == BO_Comma))) {
      QualType T = E->getType();
      if (!T->isIntegerType())
        return nullptr;
      auto Out = std::make_shared<ReturnCases>(*V.Cases);
      for (auto &Case : *Out)
        Case.second = normalise(Case.second, T);
      return Out;
    }
    return nullptr;
  }

  /// Address of an lvalue: packet (offset), map value, local, or unknown.
  AbsVal addressOf(const Expr *E, Env &En) {
    E = E->IgnoreParens();
    if (const auto *DR = dyn_cast<DeclRefExpr>(E)) {
      if (const auto *V = dyn_cast<VarDecl>(DR->getDecl())) {
        if (MapInfo *M = P.mapFor(V)) {
          AbsVal A;
          A.K = AbsVal::Kind::MapRef;
          A.Map = M;
          return A;
        }
        AbsVal A;
        A.K = AbsVal::Kind::Ptr;
        if (V->hasGlobalStorage()) {
          A.Global = true;
          A.Globals.insert(V);
        } else {
          A.Locals.insert(V);
          A.LocalOff = 0;
        }
        return A;
      }
      return AbsVal::unknown();
    }
    if (const auto *UO = dyn_cast<UnaryOperator>(E)) {
      if (UO->getOpcode() == UO_Deref)
        return eval(UO->getSubExpr(), En);
    }
    if (const auto *ME = dyn_cast<MemberExpr>(E)) {
      AbsVal Base = ME->isArrow() ? eval(ME->getBase(), En)
                                  : addressOf(ME->getBase(), En);
      const auto *FD = dyn_cast<FieldDecl>(ME->getMemberDecl());
      if (!FD)
        return AbsVal::unknown();
      if (Base.K == AbsVal::Kind::Ctx)
        return AbsVal::unknown(); // handled by the load of the member
      if (Base.K == AbsVal::Kind::PktPtr) {
        const ASTRecordLayout &RL = Ctx.getASTRecordLayout(FD->getParent());
        uint64_t Bits = RL.getFieldOffset(FD->getFieldIndex());
        AbsVal A = Base;
        A.NullIf = nullptr;
        A.S = simplify(Sym::op(Op::Add, {Base.S, Sym::constant(Bits / 8)}));
        return A;
      }
      if (Base.K == AbsVal::Kind::Ptr) {
        AbsVal A = Base;
        if (A.LocalOff >= 0 && !FD->isBitField())
          A.LocalOff += Ctx.getASTRecordLayout(FD->getParent())
                            .getFieldOffset(FD->getFieldIndex()) /
                        8;
        else
          A.LocalOff = -1;
        return A;
      }
      return AbsVal::unknown(mayBePacket(Base));
    }
    if (const auto *AS = dyn_cast<ArraySubscriptExpr>(E)) {
      AbsVal Base = eval(AS->getBase(), En);
      AbsVal Idx = eval(AS->getIdx(), En);
      return pointerAdd(Base, Idx, AS->getType(), Op::Add);
    }
    if (const auto *CL = dyn_cast<CompoundLiteralExpr>(E)) {
      eval(CL->getInitializer(), En);
      return AbsVal::unknown();
    }
    eval(E, En);
    return AbsVal::unknown();
  }

  AbsVal pointerAdd(const AbsVal &Ptr, const AbsVal &Idx, QualType Elem, Op O) {
    if (Ptr.K == AbsVal::Kind::PktPtr) {
      uint64_t Size = Elem->isVoidType() || Elem->isIncompleteType()
                          ? 1
                          : Ctx.getTypeSizeInChars(Elem).getQuantity();
      if (Idx.K != AbsVal::Kind::Scalar)
        return AbsVal::unknown(true);
      AbsVal A = Ptr;
      A.NullIf = nullptr; // NULL + n is not NULL
      A.S = simplify(Sym::op(
          O,
          {Ptr.S, simplify(Sym::op(Op::Mul, {Idx.S, Sym::constant(Size)}))}));
      A.Dirty |= Idx.Dirty;
      return A;
    }
    if (Ptr.K == AbsVal::Kind::Ptr) {
      AbsVal A = Ptr;
      A.LocalOff = -1;
      if (Ptr.LocalOff >= 0 && Idx.K == AbsVal::Kind::Scalar && !Idx.Dirty &&
          Idx.S->isConst() && !Elem->isIncompleteType()) {
        int64_t Size =
            Elem->isVoidType() ? 1 : Ctx.getTypeSizeInChars(Elem).getQuantity();
        int64_t Delta = (int64_t)Idx.S->Value * Size;
        A.LocalOff = Ptr.LocalOff + (O == Op::Add ? Delta : -Delta);
        if (A.LocalOff < 0)
          A.LocalOff = -1;
      }
      return A;
    }
    return AbsVal::unknown(mayBePacket(Ptr));
  }

  /// Value loaded from lvalue \p E (an LValueToRValue conversion).
  AbsVal load(const Expr *Cast, const Expr *E, Env &En) {
    const Expr *L = E->IgnoreParens();
    if (const auto *DR = dyn_cast<DeclRefExpr>(L)) {
      if (const auto *V = dyn_cast<VarDecl>(DR->getDecl())) {
        if (V->hasGlobalStorage())
          return AbsVal::unknown();
        auto It = En.Vars.find(V);
        return It == En.Vars.end() ? AbsVal::unknown() : It->second;
      }
      return AbsVal::unknown();
    }
    // ctx->data / ctx->data_end: the packet bounds.
    if (const auto *ME = dyn_cast<MemberExpr>(L)) {
      if (ME->isArrow()) {
        AbsVal Base = eval(ME->getBase(), En);
        if (Base.K == AbsVal::Kind::Ctx) {
          StringRef N = ME->getMemberDecl()->getName();
          if (N == "data") {
            AbsVal A;
            A.K = AbsVal::Kind::PktPtr;
            A.S = Sym::constant(0);
            return A;
          }
          if (N == "data_end") {
            AbsVal A;
            A.K = AbsVal::Kind::DataEnd;
            return A;
          }
          if (N == "rx_queue_index")
            error(ME, "reads xdp_md->rx_queue_index, which differs per core "
                      "under SCR (replicas would diverge)");
          return AbsVal::unknown();
        }
      }
    }
    AbsVal Addr = addressOf(L, En);
    if (Addr.K == AbsVal::Kind::PktPtr) {
      QualType T = E->getType();
      const auto *ME = dyn_cast<MemberExpr>(L);
      const FieldDecl *FD =
          ME ? dyn_cast<FieldDecl>(ME->getMemberDecl()) : nullptr;
      if (!T->isIntegerType() && !T->isPointerType())
        return AbsVal::unknown();
      AbsVal V;
      V.K = AbsVal::Kind::Scalar;
      V.Dirty = En.PacketWritten || Addr.Dirty;
      if (FD && FD->isBitField()) {
        // Bitfields: load the storage unit, shift and mask (little-endian
        // BPF target: bit 0 is the least significant bit of the unit).
        const ASTRecordLayout &RL = Ctx.getASTRecordLayout(FD->getParent());
        uint64_t BitOff = RL.getFieldOffset(FD->getFieldIndex());
        unsigned Width = FD->getBitWidthValue(Ctx);
        unsigned Byte = BitOff / 8, Shift = BitOff % 8;
        unsigned Bytes = (Shift + Width + 7) / 8;
        if (Bytes == 3)
          Bytes = 4;
        if (Bytes > 8) {
          error(ME, "bitfield spans more than 8 bytes");
          return AbsVal::unknown();
        }
        (void)Byte;
        SymRef Off = Addr.S; // already includes BitOff / 8
        SymRef Ld = Sym::hostLoad(Off, Bytes);
        V.S = simplify(
            Sym::op(Op::And, {Sym::op(Op::Shr, {Ld, Sym::constant(Shift)}),
                              Sym::constant((1ULL << Width) - 1)}));
      } else {
        unsigned Bytes = Ctx.getTypeSizeInChars(T).getQuantity();
        if (Bytes != 1 && Bytes != 2 && Bytes != 4 && Bytes != 8) {
          error(E, "packet read of " + std::to_string(Bytes) +
                       " bytes is not supported");
          return AbsVal::unknown();
        }
        V.S = Sym::hostLoad(Addr.S, Bytes);
      }
      R.PacketReads.insert(Cast);
      return V;
    }
    if (Addr.K == AbsVal::Kind::Ptr) {
      if (const AbsVal *V = localContents(Addr, E->getType(), En))
        return *V;
      return AbsVal::unknown();
    }
    if (Addr.K == AbsVal::Kind::MapRef)
      return AbsVal::unknown();
    AbsVal U = AbsVal::unknown();
    if (mayBePacket(Addr))
      U.Dirty = true; // unknown packet offset: flagged if it feeds state
    return U;
  }

  void noteStateWrite(const Expr *E, const std::string &What, Env &En) {
    R.Writes.push_back({E, What});
    if (!R.CommonLiterals)
      R.CommonLiterals = En.Lits;
    else
      intersect(*R.CommonLiterals, En.Lits);
  }

  /// The exact local part \p Addr points to for an access of type \p T:
  /// the local itself if it is a scalar of that size, else a cell. Only
  /// pointers are followed through memory (the parser idiom: cursors and
  /// header out-parameters); scalar members stay unknown, so the slice
  /// recomputes them from their history fields instead of carrying one
  /// predicate per use.
  std::optional<CellKey> localPart(const AbsVal &Addr, QualType T) {
    if (Addr.K != AbsVal::Kind::Ptr || Addr.LocalOff < 0 ||
        Addr.Locals.size() != 1 || !Addr.Maps.empty() || Addr.Global ||
        !T->isPointerType())
      return std::nullopt;
    return CellKey{*Addr.Locals.begin(), Addr.LocalOff,
                   (uint64_t)Ctx.getTypeSizeInChars(T).getQuantity()};
  }

  bool isWholeScalar(const CellKey &K) {
    QualType VT = K.Var->getType();
    return VT->isScalarType() && K.Off == 0 &&
           (uint64_t)Ctx.getTypeSizeInChars(VT).getQuantity() == K.Bytes;
  }

  const AbsVal *localContents(const AbsVal &Addr, QualType T, Env &En) {
    auto K = localPart(Addr, T);
    if (!K)
      return nullptr;
    if (isWholeScalar(*K)) {
      auto It = En.Vars.find(K->Var);
      return It == En.Vars.end() ? nullptr : &It->second;
    }
    auto It = En.Cells.find(*K);
    return It == En.Cells.end() ? nullptr : &It->second;
  }

  /// Records \p V as the contents of the local part \p K, forgetting
  /// every other part it overlaps.
  void setLocalPart(const CellKey &K, const AbsVal &V, Env &En) {
    if (isWholeScalar(K)) {
      En.forget(K.Var);
      En.Vars[K.Var] = bounded(V);
      return;
    }
    if (K.Var->getType()->isScalarType()) // part of a scalar: now unknown
      En.Vars[K.Var] = AbsVal::unknown();
    for (auto It = En.Cells.lower_bound({K.Var, INT64_MIN, 0});
         It != En.Cells.end() && It->first.Var == K.Var;) {
      bool Overlaps = It->first.Off < K.Off + (int64_t)K.Bytes &&
                      K.Off < It->first.Off + (int64_t)It->first.Bytes;
      It = Overlaps ? En.Cells.erase(It) : std::next(It);
    }
    En.Cells[K] = bounded(V);
  }

  /// A store through the address \p Addr (assignment, ++, atomics, memcpy);
  /// \p Stored is the value when it is one scalar of type \p T.
  void store(const Expr *Node, const AbsVal &Addr, Env &En,
             const std::string &How, const AbsVal *Stored = nullptr,
             QualType T = QualType()) {
    if (Addr.K == AbsVal::Kind::PktPtr || Addr.MayPacket) {
      En.PacketWritten = true;
      return;
    }
    if (Addr.K == AbsVal::Kind::Ptr) {
      for (const MapInfo *M : Addr.Maps) {
        auto *MM = const_cast<MapInfo *>(M);
        if (!MM->Written)
          MM->WriteWhere = Diags.shortWhere(Node->getBeginLoc());
        MM->Written = true;
        noteStateWrite(Node, How + " map `" + M->Name + "` value", En);
      }
      if (Addr.Global)
        noteGlobalWrite(Node, Addr.Globals, En);
      for (const VarDecl *V : Addr.Locals)
        R.Defs[Node].insert(V);
      if (auto K = Stored && !T.isNull() ? localPart(Addr, T) : std::nullopt) {
        setLocalPart(*K, *Stored, En);
        return;
      }
      for (const VarDecl *V : Addr.Locals)
        En.forget(V); // its tracked contents are no longer known
      return;
    }
    if (Addr.K == AbsVal::Kind::Unknown) {
      error(Node, "store through a pointer whose target scrcc cannot "
                  "determine; it might be replicated state");
    }
  }

  /// A write to global state: replicated like a written map, if scrcc can
  /// give every replica its own copy (Replication.cpp checks the rest).
  void noteGlobalWrite(const Expr *Node,
                       const std::set<const VarDecl *> &Globals, Env &En) {
    if (Globals.empty()) {
      error(Node, "writes a global variable scrcc cannot identify");
      return;
    }
    for (const VarDecl *V : Globals) {
      if (V->isStaticLocal())
        continue; // refused where it is declared
      R.WrittenGlobals.emplace(V, Diags.shortWhere(Node->getBeginLoc()));
      noteStateWrite(Node, "write to global `" + V->getNameAsString() + "`",
                     En);
    }
  }

  AbsVal assignTo(const Expr *LHS, const AbsVal &V, const Expr *Node, Env &En) {
    const Expr *L = LHS->IgnoreParens();
    if (const auto *DR = dyn_cast<DeclRefExpr>(L))
      if (const auto *VD = dyn_cast<VarDecl>(DR->getDecl())) {
        if (VD->hasGlobalStorage()) {
          noteGlobalWrite(Node, {VD}, En);
          return V;
        }
        R.Defs[Node].insert(VD);
        En.forget(VD);
        if (VD->getType()->isScalarType())
          En.Vars[VD] = bounded(V); // `x += ...` stores before eval()
        return V;
      }
    AbsVal Addr = addressOf(L, En);
    store(Node, Addr, En, "store to", &V, LHS->getType());
    return V;
  }

  AbsVal binary(Op O, const AbsVal &A, const AbsVal &B, QualType T) {
    if (A.K != AbsVal::Kind::Scalar || B.K != AbsVal::Kind::Scalar) {
      AbsVal U = AbsVal::unknown();
      U.Dirty = A.Dirty || B.Dirty;
      return U;
    }
    AbsVal V = AbsVal::scalar(simplify(Sym::op(O, {A.S, B.S})));
    V.Dirty = A.Dirty || B.Dirty;
    unsigned Bits = bitsOf(T);
    if (Bits < 64 && T->isUnsignedIntegerType())
      V.S = truncate(V.S, Bits);
    else if (Bits < 64 && T->isSignedIntegerType()) {
      // Signed arithmetic: only model results that stay non-negative.
      if (O == Op::Sub || !symEquals(truncate(V.S, Bits - 1), V.S)) {
        AbsVal U = AbsVal::unknown();
        U.Dirty = V.Dirty;
        return U;
      }
    }
    return V;
  }

  AbsVal compare(BinaryOperatorKind BO, const AbsVal &A, const AbsVal &B,
                 QualType OperandT) {
    using K = AbsVal::Kind;
    SymRef L, Rr;
    if (A.K == K::Scalar && B.K == K::Scalar) {
      L = A.S;
      Rr = B.S;
    } else if ((A.K == K::PktPtr || A.K == K::DataEnd) &&
               (B.K == K::PktPtr || B.K == K::DataEnd)) {
      L = A.K == K::DataEnd ? Sym::len() : A.S;
      Rr = B.K == K::DataEnd ? Sym::len() : B.S;
    } else if ((BO == BO_EQ || BO == BO_NE) &&
               ((A.K == K::PktPtr && isNullConstant(B)) ||
                (B.K == K::PktPtr && isNullConstant(A)))) {
      // `hdr == NULL`: a pointer into the packet is NULL only where a
      // `fits ? hdr : NULL` made it so.
      const AbsVal &Ptr = A.K == K::PktPtr ? A : B;
      SymRef IsNull = Ptr.NullIf ? Ptr.NullIf : Sym::constant(0);
      return AbsVal::scalar(
          BO == BO_EQ ? IsNull : simplify(Sym::op(Op::LNot, {IsNull})));
    } else if ((A.K == K::Ptr || A.K == K::MapRef) && B.K == K::Scalar &&
               B.S->isConst() && B.S->Value == 0) {
      return AbsVal::unknown(); // null check of a map value: state
    } else {
      // A pointer that may point into the packet at an unknown offset:
      // its bounds check cannot be described to the sequencer.
      AbsVal U = AbsVal::unknown();
      U.Dirty = A.Dirty || B.Dirty || A.MayPacket || B.MayPacket;
      return U;
    }
    bool Signed = OperandT->isSignedIntegerType();
    if (Signed) {
      unsigned Bits = bitsOf(OperandT);
      if (!symEquals(truncate(L, Bits - 1), L) ||
          !symEquals(truncate(Rr, Bits - 1), Rr))
        return AbsVal::unknown();
    }
    Op O;
    switch (BO) {
    case BO_EQ:
      O = Op::Eq;
      break;
    case BO_NE:
      O = Op::Ne;
      break;
    case BO_LT:
      O = Op::Ult;
      break;
    case BO_LE:
      O = Op::Ule;
      break;
    case BO_GT:
      O = Op::Ugt;
      break;
    default:
      O = Op::Uge;
      break;
    }
    AbsVal V = AbsVal::scalar(simplify(Sym::op(O, {L, Rr})));
    V.Dirty = A.Dirty || B.Dirty;
    return V;
  }

  static bool isNullConstant(const AbsVal &V) {
    return V.K == AbsVal::Kind::Scalar && !V.Dirty && V.S->isConst() &&
           V.S->Value == 0;
  }

  /// A packet-only condition, if \p V is one.
  static SymRef condOf(const AbsVal &V) {
    if (V.K == AbsVal::Kind::Scalar && !V.Dirty)
      return V.S;
    if (V.K == AbsVal::Kind::PktPtr && V.NullIf && !V.Dirty) // `if (hdr)`
      return simplify(Sym::op(Op::LNot, {V.NullIf}));
    return nullptr;
  }

  AbsVal evalImpl(const Expr *E, Env &En) {
    Expr::EvalResult ER;
    if (!E->isValueDependent() && E->getType()->isIntegerType() &&
        !E->HasSideEffects(Ctx) && E->EvaluateAsInt(ER, Ctx))
      return AbsVal::scalar(Sym::constant(ER.Val.getInt().getZExtValue()));

    if (const auto *PE = dyn_cast<ParenExpr>(E))
      return eval(PE->getSubExpr(), En);
    if (const auto *CE = dyn_cast<CastExpr>(E)) {
      const Expr *Sub = CE->getSubExpr();
      switch (CE->getCastKind()) {
      case CK_LValueToRValue:
        return load(E, Sub, En);
      case CK_ArrayToPointerDecay:
      case CK_FunctionToPointerDecay:
        return addressOf(Sub, En);
      case CK_NullToPointer:
        return AbsVal::scalar(Sym::constant(0));
      default: {
        AbsVal V = eval(Sub, En);
        return convert(V, Sub->getType(), CE->getType());
      }
      }
    }
    if (isa<DeclRefExpr>(E) || isa<MemberExpr>(E) ||
        isa<ArraySubscriptExpr>(E)) {
      // Lvalue in a position that does not load (e.g. &x, sizeof):
      // evaluate sub-expressions for their effects.
      addressOf(E, En);
      return AbsVal::unknown();
    }
    if (const auto *UO = dyn_cast<UnaryOperator>(E))
      return unary(UO, En);
    if (const auto *BO = dyn_cast<BinaryOperator>(E))
      return binaryOp(BO, En);
    if (const auto *CO = dyn_cast<ConditionalOperator>(E)) {
      AbsVal C = eval(CO->getCond(), En);
      bool Known;
      if (!CO->getCond()->isValueDependent() &&
          CO->getCond()->EvaluateAsBooleanCondition(Known, Ctx))
        return eval(Known ? CO->getTrueExpr() : CO->getFalseExpr(), En);
      Env T = En, F = En;
      SymRef CS = condOf(C);
      if (CS) {
        literalsOf(CS, true, T.Lits);
        literalsOf(CS, false, F.Lits);
      }
      AbsVal A = eval(CO->getTrueExpr(), T);
      AbsVal B = eval(CO->getFalseExpr(), F);
      En = joinEnv(T, F, CS);
      return join(A, B, CS);
    }
    if (const auto *CE = dyn_cast<CallExpr>(E))
      return call(CE, En);
    if (const auto *AE = dyn_cast<AtomicExpr>(E))
      return atomic(AE, En);
    if (const auto *IL = dyn_cast<InitListExpr>(E)) {
      for (const Expr *I : IL->inits())
        eval(I, En);
      return AbsVal::unknown();
    }
    if (isa<UnaryExprOrTypeTraitExpr>(E) || isa<StringLiteral>(E) ||
        isa<ImplicitValueInitExpr>(E))
      return AbsVal::unknown();
    // GNU statement expressions (`bpf_printk`, many helper macros): the
    // statements run in order, the last one is the value.
    if (const auto *SE = dyn_cast<StmtExpr>(E)) {
      const CompoundStmt *CS = SE->getSubStmt();
      for (const Stmt *C : CS->body())
        if (C != CS->body_back())
          exec(C, En);
      if (const auto *Last = dyn_cast_or_null<Expr>(CS->body_back()))
        return eval(Last, En);
      exec(CS->body_back(), En);
      return AbsVal::unknown();
    }
    for (const Stmt *C : E->children())
      if (const auto *CE = dyn_cast_or_null<Expr>(C))
        eval(CE, En);
    return AbsVal::unknown();
  }

  /// __atomic_* builtins (an AtomicExpr, not a call): every one but the
  /// loads writes through its first pointer; the generic load, the
  /// exchanges and compare-exchanges also write through their other
  /// pointer operands (the result, the expected value). Missing one would
  /// make replicated state look read-only.
  AbsVal atomic(const AtomicExpr *AE, Env &En) {
    std::string Name = atomicBuiltinName(AE, Ctx);
    AbsVal Ptr = eval(AE->getPtr(), En);
    std::vector<std::pair<const Expr *, AbsVal>> Others;
    for (unsigned I = 0; I < AE->getNumSubExprs(); ++I)
      if (const Expr *Sub = AE->getSubExprs()[I]; Sub && Sub != AE->getPtr())
        Others.push_back({Sub, eval(Sub, En)});
    StringRef N(Name);
    if (!N.contains("_load"))
      store(AE, Ptr, En, "atomic update of");
    if (N == "__atomic_load" || N.contains("exchange"))
      for (const auto &[Sub, V] : Others)
        if (Sub->getType()->isPointerType())
          store(AE, V, En, "atomic update of");
    return AbsVal::unknown();
  }

  AbsVal unary(const UnaryOperator *UO, Env &En) {
    const Expr *Sub = UO->getSubExpr();
    switch (UO->getOpcode()) {
    case UO_AddrOf:
      return addressOf(Sub, En);
    case UO_Deref: {
      AbsVal Ptr = eval(Sub, En);
      return Ptr; // the address; loads happen through LValueToRValue
    }
    case UO_PreInc:
    case UO_PreDec:
    case UO_PostInc:
    case UO_PostDec: {
      AbsVal Old = load(UO, Sub, En);
      R.PacketReads.erase(UO);
      bool Inc = UO->isIncrementOp();
      AbsVal New = Old;
      if (Old.K == AbsVal::Kind::PktPtr)
        New = pointerAdd(Old, AbsVal::scalar(Sym::constant(1)),
                         Sub->getType()->getPointeeType(),
                         Inc ? Op::Add : Op::Sub);
      else
        New = binary(Inc ? Op::Add : Op::Sub, Old,
                     AbsVal::scalar(Sym::constant(1)), Sub->getType());
      assignTo(Sub, New, UO, En);
      return UO->isPrefix() ? New : Old;
    }
    case UO_LNot: {
      AbsVal V = eval(Sub, En);
      if (V.K == AbsVal::Kind::Scalar)
        return AbsVal::scalar(simplify(Sym::op(Op::LNot, {V.S})));
      if (V.K == AbsVal::Kind::PktPtr && V.NullIf) // `if (!hdr)`
        return AbsVal::scalar(V.NullIf);
      return AbsVal::unknown();
    }
    case UO_Not: {
      AbsVal V = eval(Sub, En);
      if (V.K == AbsVal::Kind::Scalar)
        return AbsVal::scalar(
            truncate(simplify(Sym::op(Op::Not, {V.S})), bitsOf(UO->getType())));
      return AbsVal::unknown();
    }
    case UO_Minus: {
      eval(Sub, En);
      return AbsVal::unknown();
    }
    default:
      return eval(Sub, En);
    }
  }

  AbsVal binaryOp(const BinaryOperator *BO, Env &En) {
    BinaryOperatorKind K = BO->getOpcode();
    if (K == BO_LAnd || K == BO_LOr) {
      AbsVal A = eval(BO->getLHS(), En);
      SymRef AS = condOf(A);
      // The right operand runs only when the left one did not decide.
      Env Rhs = En;
      if (AS)
        literalsOf(AS, K == BO_LAnd, Rhs.Lits);
      AbsVal B = eval(BO->getRHS(), Rhs);
      En = joinEnv(En, Rhs, nullptr);
      if (A.K == AbsVal::Kind::Scalar && B.K == AbsVal::Kind::Scalar) {
        AbsVal V = AbsVal::scalar(
            simplify(Sym::op(K == BO_LAnd ? Op::LAnd : Op::LOr, {A.S, B.S})));
        V.Dirty = A.Dirty || B.Dirty;
        return V;
      }
      return AbsVal::unknown();
    }
    if (K == BO_Assign) {
      AbsVal V = eval(BO->getRHS(), En);
      return assignTo(BO->getLHS(), V, BO, En);
    }
    if (BO->isCompoundAssignmentOp()) {
      AbsVal Old = load(BO, BO->getLHS(), En);
      R.PacketReads.erase(BO);
      AbsVal Rhs = eval(BO->getRHS(), En);
      AbsVal New = AbsVal::unknown();
      BinaryOperatorKind Base = BinaryOperator::getOpForCompoundAssignment(K);
      if (Old.K == AbsVal::Kind::PktPtr && (Base == BO_Add || Base == BO_Sub))
        New = pointerAdd(Old, Rhs, BO->getLHS()->getType()->getPointeeType(),
                         Base == BO_Add ? Op::Add : Op::Sub);
      else if (auto O = arith(Base))
        New = binary(*O, Old, Rhs, BO->getLHS()->getType());
      return assignTo(BO->getLHS(), New, BO, En);
    }
    if (K == BO_Comma) {
      eval(BO->getLHS(), En);
      return eval(BO->getRHS(), En);
    }
    AbsVal A = eval(BO->getLHS(), En);
    AbsVal B = eval(BO->getRHS(), En);
    if (BO->isComparisonOp())
      return compare(K, A, B, BO->getLHS()->getType());
    QualType LT = BO->getLHS()->getType(), RT = BO->getRHS()->getType();
    if ((K == BO_Add || K == BO_Sub) && LT->isPointerType() &&
        RT->isIntegerType())
      return pointerAdd(A, B, LT->getPointeeType(),
                        K == BO_Add ? Op::Add : Op::Sub);
    if (K == BO_Add && RT->isPointerType() && LT->isIntegerType())
      return pointerAdd(B, A, RT->getPointeeType(), Op::Add);
    using AK = AbsVal::Kind;
    auto IsBound = [](const AbsVal &V) {
      return V.K == AK::PktPtr || V.K == AK::DataEnd;
    };
    // `ctx->data_end - ctx->data`: the two u32 context fields subtracted
    // as integers are the frame length too.
    bool IntDiff = K == BO_Sub && LT->isIntegerType() && RT->isIntegerType() &&
                   IsBound(A) && IsBound(B);
    if (IntDiff ||
        (K == BO_Sub && LT->isPointerType() && RT->isPointerType())) {
      uint64_t Size =
          IntDiff || LT->getPointeeType()->isVoidType()
              ? 1
              : Ctx.getTypeSizeInChars(LT->getPointeeType()).getQuantity();
      if (Size == 1 && (A.K == AK::PktPtr || A.K == AK::DataEnd) &&
          (B.K == AK::PktPtr || B.K == AK::DataEnd)) {
        SymRef L = A.K == AK::DataEnd ? Sym::len() : A.S;
        SymRef Rr = B.K == AK::DataEnd ? Sym::len() : B.S;
        // end - p is never negative on a path where it is used.
        return AbsVal::scalar(simplify(Sym::op(Op::Sub, {L, Rr})));
      }
      return AbsVal::unknown();
    }
    if (auto O = arith(K))
      return binary(*O, A, B, BO->getType());
    return AbsVal::unknown();
  }

  static std::optional<Op> arith(BinaryOperatorKind K) {
    switch (K) {
    case BO_Add:
      return Op::Add;
    case BO_Sub:
      return Op::Sub;
    case BO_Mul:
      return Op::Mul;
    case BO_And:
      return Op::And;
    case BO_Or:
      return Op::Or;
    case BO_Xor:
      return Op::Xor;
    case BO_Shl:
      return Op::Shl;
    case BO_Shr:
      return Op::Shr;
    default:
      return std::nullopt;
    }
  }

  //===------------------------------------------------------------------===//
  // Calls
  //===------------------------------------------------------------------===//

  AbsVal call(const CallExpr *CE, Env &En) {
    std::string H = helperName(CE);
    if (!H.empty())
      return helper(CE, H, En);
    const FunctionDecl *F = directCallee(CE);
    if (!F) {
      error(CE, "indirect call through a function pointer is not supported");
      return AbsVal::unknown();
    }
    unsigned BI = F->getBuiltinID();
    if (BI)
      return builtin(CE, F, En);
    std::vector<AbsVal> Args;
    for (const Expr *A : CE->arguments())
      Args.push_back(eval(A, En));
    if (!F->hasBody()) {
      error(CE, "call to '" + F->getNameAsString() +
                    "', which has no body in this file; scrcc needs the "
                    "source of every function the program calls");
      return AbsVal::unknown();
    }
    R.Calls[CE] = F;
    // &local passed to a function: the callee may define the local.
    for (const AbsVal &A : Args)
      if (A.K == AbsVal::Kind::Ptr)
        for (const VarDecl *V : A.Locals)
          R.Defs[CE].insert(V);
    return callFunction(F, En, Args, CE->getBeginLoc());
  }

  AbsVal callFunction(const FunctionDecl *F, Env &En,
                      const std::vector<AbsVal> &Args, SourceLocation At) {
    for (const Frame &Fr : Stack)
      if (Fr.F == F) {
        Diags.error(At, "recursive call to '" + F->getNameAsString() +
                            "' is not supported (BPF forbids recursion)");
        return AbsVal::unknown();
      }
    R.Reached.insert(F);
    // The callee sees the caller's locals (it can reach them only through
    // pointers it is given) so that its stores through out-parameters
    // land in the caller's view.
    Env Callee = En;
    Callee.Live = true;
    for (unsigned I = 0; I < F->getNumParams() && I < Args.size(); ++I)
      Callee.Vars[F->getParamDecl(I)] = convert(
          Args[I],
          Args[I].K == AbsVal::Kind::Scalar ? F->getParamDecl(I)->getType()
                                            : F->getParamDecl(I)->getType(),
          F->getParamDecl(I)->getType());
    Stack.push_back({F, {}, std::nullopt, {}, {}, {}, true, {}});
    exec(F->getBody(), Callee);
    Frame Fr = std::move(Stack.back());
    Stack.pop_back();
    // A label the walk never reached again (inside code only a goto
    // reaches, nested in a statement the walk skipped as dead).
    for (const auto &[Label, Jumps] : Fr.Gotos)
      error(Jumps.front().first,
            "scrcc cannot follow this goto to '" + Label->getNameAsString() +
                "' (the label is inside code reached only by jumps)");
    // The returned value, joined under the branches that separate the
    // returns: `return -1` on a failed check, `return h_proto` after it.
    std::optional<AbsVal> Ret;
    Env Returned;
    Returned.Live = false;
    // Latest first: a later return has passed the checks an earlier one
    // failed, so each join finds the literal that separates them.
    for (size_t I = Fr.Returns.size(); I-- > 0;) {
      const Env &RE = Fr.Returns[I];
      if (I < Fr.RetVals.size())
        Ret = Ret ? join(Fr.RetVals[I], *Ret, separatingLiteral(RE, Returned))
                  : Fr.RetVals[I];
      Returned = joinEnv(Returned, RE, nullptr);
    }
    Env Out = joinEnv(Callee, Returned, nullptr); // or falling off the end
    if (Out.Live) {
      // Back in the caller: the callee's own locals are out of scope.
      auto Own = [&](const VarDecl *V) { return V->getDeclContext() == F; };
      std::erase_if(Out.Vars, [&](const auto &KV) { return Own(KV.first); });
      std::erase_if(Out.Cells,
                    [&](const auto &KV) { return Own(KV.first.Var); });
      En.Vars = std::move(Out.Vars);
      En.Cells = std::move(Out.Cells);
      En.Lits = Out.Lits;
      En.PacketWritten = Out.PacketWritten;
    } else {
      for (const AbsVal &A : Args)
        if (A.K == AbsVal::Kind::Ptr)
          for (const VarDecl *V : A.Locals)
            En.forget(V);
    }
    if (!Fr.RetVals.empty() && Fr.RetVals.size() != Fr.Returns.size())
      Ret = Fr.RetVal; // a return without a value: keep the plain join
    if (!Ret)
      Ret = Fr.RetVal ? *Fr.RetVal : AbsVal::unknown();
    if (Ret->K == AbsVal::Kind::Unknown && !Ret->Dirty && !Ret->MayPacket &&
        Fr.CasesOk && !Fr.RetCases.empty())
      Ret->Cases = std::make_shared<const ReturnCases>(std::move(Fr.RetCases));
    return *Ret;
  }

  AbsVal builtin(const CallExpr *CE, const FunctionDecl *F, Env &En) {
    StringRef N = F->getName();
    std::vector<AbsVal> Args;
    for (const Expr *A : CE->arguments())
      Args.push_back(eval(A, En));
    if (N.starts_with("__builtin_bswap") && Args.size() == 1) {
      unsigned Bytes = N.ends_with("16") ? 2 : N.ends_with("32") ? 4 : 8;
      if (Args[0].K == AbsVal::Kind::Scalar) {
        AbsVal V = AbsVal::scalar(
            simplify(Sym::bswap(truncate(Args[0].S, Bytes * 8), Bytes)));
        V.Dirty = Args[0].Dirty;
        return V;
      }
      return AbsVal::unknown();
    }
    if ((N == "__builtin_expect" || N == "__builtin_expect_with_probability") &&
        !Args.empty())
      return Args[0];
    // Copying from the packet into a local gives the local no value scrcc
    // tracks: if the local then feeds state, the slicer keeps the copy and
    // refuses its packet pointer (the history carries values, not bytes
    // at an address).
    if (N == "__builtin_memcpy" || N == "__builtin_memset" ||
        N == "__builtin_memmove" || N == "memcpy" || N == "memset" ||
        N == "memmove") {
      store(CE, Args[0], En, "write to");
      return Args[0];
    }
    // Comparing memory only reads it; a comparison of packet bytes is
    // not one the sequencer could be told about.
    if (N == "__builtin_memcmp" || N == "__builtin_bcmp" || N == "memcmp") {
      AbsVal V = AbsVal::unknown();
      for (const AbsVal &A : Args)
        V.Dirty |= mayBePacket(A) || A.Dirty;
      return V;
    }
    // Like abort(): the path ends here (and reaching __builtin_unreachable
    // is undefined, so no path goes on from it either).
    if (N == "__builtin_trap" || N == "__builtin_unreachable") {
      En.Live = false;
      return AbsVal::unknown();
    }
    if (N.starts_with("__sync_") || N.starts_with("__atomic_")) {
      if (!Args.empty())
        store(CE, Args[0], En, "atomic update of");
      return AbsVal::unknown();
    }
    if (N == "__builtin_constant_p") // constants were folded before
      return AbsVal::scalar(Sym::constant(0));
    if (N == "__builtin_offsetof" || N == "__builtin_preserve_access_index")
      return Args.empty() ? AbsVal::unknown() : Args[0];
    error(CE, "builtin '" + N.str() + "' is not supported by scrcc");
    return AbsVal::unknown();
  }

  AbsVal helper(const CallExpr *CE, const std::string &H, Env &En) {
    const HelperModel *Model = helperModel(H);
    std::vector<AbsVal> Args;
    for (const Expr *A : CE->arguments())
      Args.push_back(eval(A, En));
    for (const AbsVal &A : Args)
      if (A.K == AbsVal::Kind::MapRef && A.Map)
        R.MapCalls[CE].insert(A.Map);
    // A helper given &local may write the local (bpf_xdp_load_bytes,
    // bpf_fib_lookup, ...): the call defines it. Outputs only read theirs.
    for (const AbsVal &A : Args)
      if (A.K == AbsVal::Kind::Ptr && !isOutputHelper(H))
        for (const VarDecl *V : A.Locals) {
          R.Defs[CE].insert(V);
          En.forget(V);
        }
    auto MapArg = [&]() -> MapInfo * {
      size_t I = Model && Model->MapArg >= 0 ? size_t(Model->MapArg) : 0;
      if (I < Args.size() && Args[I].K == AbsVal::Kind::MapRef)
        return const_cast<MapInfo *>(Args[I].Map);
      error(CE, "cannot tell which map '" + H +
                    "' operates on: pass a map declared in SEC(\".maps\") "
                    "directly");
      return nullptr;
    };
    auto Written = [&](MapInfo *M, const std::string &How) {
      if (!M->Written)
        M->WriteWhere = Diags.shortWhere(CE->getBeginLoc());
      M->Written = true;
      noteStateWrite(CE, How + " map `" + M->Name + "`", En);
    };
    if (!Model) {
      // Any other helper writing through a pointer into a map value
      // changes state in a way scrcc cannot replay.
      for (const AbsVal &A : Args)
        if (A.K == AbsVal::Kind::Ptr && !A.Maps.empty())
          error(CE, "helper '" + H +
                        "' may write into a map value; scrcc "
                        "cannot replay it");
      return AbsVal::unknown();
    }
    switch (Model->Effect) {
    case HelperEffect::MapLookup: {
      MapInfo *M = MapArg();
      AbsVal V;
      V.K = AbsVal::Kind::Ptr;
      if (M) {
        V.Maps.insert(M);
        // An LRU lookup refreshes the entry's recency: that is a state
        // change the replicas must replay.
        if (isLruMapType(M->Type))
          Written(M, "lookup (refreshes LRU order) in");
      }
      return V;
    }
    case HelperEffect::MapUpdate:
    case HelperEffect::MapDelete:
      if (MapInfo *M = MapArg())
        Written(M, Model->Effect == HelperEffect::MapDelete ? "delete from"
                                                            : "update of");
      return AbsVal::unknown();
    case HelperEffect::Clock:
      R.TimeCalls.push_back(CE);
      R.UsesTime = true;
      return AbsVal::scalar(Sym::timestamp());
    case HelperEffect::Prng:
      R.PrngCalls.push_back(CE);
      R.UsesPrng = true;
      noteStateWrite(CE, "step of the replicated PRNG", En);
      return AbsVal::unknown();
    case HelperEffect::TailCall:
      error(CE, "tail calls are not supported: the SCR program must see the "
                "whole state-update logic in one program");
      return AbsVal::unknown();
    case HelperEffect::PerCore:
      error(CE, "'" + H +
                    "' returns a per-core value: under SCR every core "
                    "must compute the same state, so per-core values are "
                    "rejected");
      return AbsVal::unknown();
    case HelperEffect::PacketWrite:
      En.PacketWritten = true;
      return AbsVal::unknown();
    case HelperEffect::SpinLock:
      error(CE, "bpf_spin_lock is not supported by scrcc yet");
      return AbsVal::unknown();
    case HelperEffect::OutputRecord: {
      // A ring buffer record is an output, not state: stores into it are
      // for the current packet only (a pointer to no state).
      AbsVal V;
      V.K = AbsVal::Kind::Ptr;
      return V;
    }
    case HelperEffect::Output:
    case HelperEffect::NoState:
      return AbsVal::unknown(); // packet side effects or outputs: not state
    }
    return AbsVal::unknown();
  }

  //===------------------------------------------------------------------===//
  // Statements
  //===------------------------------------------------------------------===//

  void exec(const Stmt *S, Env &En) {
    if (!S)
      return;
    if (!En.Live) {
      // Code after a jump is reached again only through a label a goto
      // targets (`goto out;` ... `out:`).
      if (const auto *CS = dyn_cast<CompoundStmt>(S))
        for (const Stmt *C : CS->body())
          exec(C, En);
      else if (const auto *LS = dyn_cast<LabelStmt>(S))
        label(LS, En);
      return;
    }
    if (const auto *E = dyn_cast<Expr>(S)) {
      eval(E, En);
      return;
    }
    if (const auto *CS = dyn_cast<CompoundStmt>(S)) {
      for (const Stmt *C : CS->body())
        exec(C, En);
      return;
    }
    if (const auto *DS = dyn_cast<DeclStmt>(S)) {
      for (const Decl *D : DS->decls())
        if (const auto *V = dyn_cast<VarDecl>(D)) {
          // `static const char fmt[] = "..."` (bpf_printk) is read-only
          // data: the same on every core.
          if (V->isStaticLocal() && V->getType().isConstQualified())
            continue;
          if (V->isStaticLocal()) {
            Diags.error(V->getLocation(),
                        "static local variables are global state; not "
                        "supported by scrcc yet");
            continue;
          }
          En.undefine(V); // a loop may declare it again
          if (const Expr *I = V->getInit()) {
            AbsVal Val = eval(I, En);
            if (V->getType()->isScalarType())
              En.Vars[V] = bounded(convert(Val, I->getType(), V->getType()));
            else
              initCells(V, 0, I, En);
          }
        }
      return;
    }
    if (const auto *IS = dyn_cast<IfStmt>(S)) {
      if (IS->getInit())
        exec(IS->getInit(), En);
      AbsVal C = eval(IS->getCond(), En);
      bool Known;
      if (!IS->getCond()->isValueDependent() &&
          IS->getCond()->EvaluateAsBooleanCondition(Known, Ctx)) {
        exec(Known ? IS->getThen() : IS->getElse(), En);
        return;
      }
      SymRef CS = condOf(C);
      Env T = En, F = En;
      if (CS) {
        literalsOf(CS, true, T.Lits);
        literalsOf(CS, false, F.Lits);
      } else if (C.Cases) {
        caseLiterals(*C.Cases, true, T.Lits);
        caseLiterals(*C.Cases, false, F.Lits);
      }
      exec(IS->getThen(), T);
      exec(IS->getElse(), F);
      En = joinEnv(T, F, CS);
      return;
    }
    if (const auto *RS = dyn_cast<ReturnStmt>(S)) {
      if (const Expr *V = RS->getRetValue()) {
        AbsVal Val = eval(V, En); // may call functions: take Frame after
        Frame &Fr = Stack.back();
        Val = convert(Val, V->getType(), Fr.F->getReturnType());
        Fr.RetVal = Fr.RetVal ? join(*Fr.RetVal, Val, nullptr) : Val;
        Fr.RetVals.push_back(Val);
        // Constant expressions directly: the value model keeps only
        // provably non-negative values, and `return -1` is the usual error.
        QualType RT = Fr.F->getReturnType();
        Expr::EvalResult ER;
        if (!RT->isIntegerType())
          Fr.CasesOk = false;
        else if (!V->isValueDependent() && !V->HasSideEffects(Ctx) &&
                 V->EvaluateAsInt(ER, Ctx))
          Fr.RetCases.push_back(
              {En.Lits, normalise(ER.Val.getInt().getExtValue(), RT)});
        else if (Val.K == AbsVal::Kind::Scalar && !Val.Dirty &&
                 Val.S->isConst())
          Fr.RetCases.push_back(
              {En.Lits, normalise((int64_t)Val.S->Value, RT)});
        else
          Fr.CasesOk = false;
      } else {
        Stack.back().CasesOk = false;
      }
      Stack.back().Returns.push_back(En);
      En.Live = false;
      return;
    }
    if (isa<ForStmt>(S) || isa<WhileStmt>(S) || isa<DoStmt>(S)) {
      loop(S, En);
      return;
    }
    if (isa<BreakStmt>(S) || isa<ContinueStmt>(S)) {
      if (Stack.back().Loops.empty())
        return;
      LoopCtx &L = Stack.back().Loops.back();
      if (isa<BreakStmt>(S))
        L.Breaks.push_back(En);
      else {
        // continue inside a switch belongs to the enclosing loop
        for (auto It = Stack.back().Loops.rbegin();
             It != Stack.back().Loops.rend(); ++It)
          if (!It->IsSwitch) {
            It->Continues.push_back(En);
            break;
          }
      }
      En.Live = false;
      return;
    }
    if (const auto *SS = dyn_cast<SwitchStmt>(S)) {
      if (SS->getInit())
        exec(SS->getInit(), En);
      SymRef Cond = condOf(eval(SS->getCond(), En));
      Env Entry = En;
      Stack.back().Loops.push_back({});
      Stack.back().Loops.back().IsSwitch = true;
      Env Body = Entry;
      Body.Live = false; // code before the first label is unreachable
      switchBody(SS->getBody(), Body, Entry, SS, Cond);
      LoopCtx L = std::move(Stack.back().Loops.back());
      Stack.back().Loops.pop_back();
      Env Out = Body;
      for (const Env &B : L.Breaks)
        Out = joinEnv(Out, B, nullptr);
      bool HasDefault = false;
      for (const SwitchCase *C = SS->getSwitchCaseList(); C;
           C = C->getNextSwitchCase())
        HasDefault |= isa<DefaultStmt>(C);
      if (!HasDefault)
        Out = joinEnv(Out, Entry, nullptr);
      En = Out;
      return;
    }
    if (const auto *CS = dyn_cast<SwitchCase>(S)) {
      exec(CS->getSubStmt(), En);
      return;
    }
    if (isa<NullStmt>(S))
      return;
    if (const auto *LS = dyn_cast<LabelStmt>(S)) {
      label(LS, En);
      return;
    }
    // `#pragma unroll` / `#pragma clang loop ...` on a loop, or
    // `__attribute__((fallthrough));`: hints that change no semantics.
    if (const auto *AS = dyn_cast<AttributedStmt>(S)) {
      exec(AS->getSubStmt(), En);
      return;
    }
    if (const auto *GS = dyn_cast<GotoStmt>(S)) {
      jump(GS, En);
      return;
    }
    if (isa<IndirectGotoStmt>(S)) {
      error(S, "computed goto is not supported by scrcc");
      return;
    }
    if (isa<GCCAsmStmt>(S) || isa<MSAsmStmt>(S)) {
      error(S, "inline assembly is not supported by scrcc");
      return;
    }
    error(S,
          std::string("unsupported statement '") + S->getStmtClassName() + "'");
  }

  /// `struct hdr_cursor nh = { .pos = data };`: the scalar members of an
  /// initialiser list (evaluated already) at their offsets in \p V.
  void initCells(const VarDecl *V, int64_t Off, const Expr *I, Env &En) {
    const auto *IL = dyn_cast<InitListExpr>(I->IgnoreParenImpCasts());
    const RecordDecl *RD = I->getType()->getAsRecordDecl();
    if (!IL || !RD || RD->isUnion() || RD->isInvalidDecl())
      return;
    const ASTRecordLayout &RL = Ctx.getASTRecordLayout(RD);
    unsigned Idx = 0;
    for (const FieldDecl *FD : RD->fields()) {
      if (Idx >= IL->getNumInits())
        break;
      const Expr *FI = IL->getInit(Idx++);
      if (FD->isBitField())
        continue;
      int64_t At = Off + RL.getFieldOffset(FD->getFieldIndex()) / 8;
      QualType FT = FD->getType();
      if (FT->isPointerType()) {
        auto It = R.Values.find(FI);
        AbsVal Val =
            isa<ImplicitValueInitExpr>(FI) ? AbsVal::scalar(Sym::constant(0))
            : It != R.Values.end() && Fresh.count(FI) ? Fresh[FI].second
                                                      : AbsVal::unknown();
        En.Cells[{V, At, (uint64_t)Ctx.getTypeSizeInChars(FT).getQuantity()}] =
            convert(Val, FI->getType(), FT);
      } else if (FT->isRecordType()) {
        initCells(V, At, FI, En);
      }
    }
  }

  /// `goto L`: the state here joins the state at `L:`. Only forward jumps
  /// that do not enter a loop, a switch or a statement expression: those
  /// reach their label after the goto in the walk, once per walk of the
  /// goto, so the join sees every path. A backward goto is a loop the
  /// verifier and scrcc could only bound by unrolling.
  void jump(const GotoStmt *GS, Env &En) {
    const LabelStmt *Target = GS->getLabel()->getStmt();
    const SourceManager &SM = Ctx.getSourceManager();
    if (!Target || !SM.isBeforeInTranslationUnit(GS->getBeginLoc(),
                                                 Target->getBeginLoc())) {
      error(GS, "backward goto (a loop made of jumps) is not supported by "
                "scrcc; write the loop as a for or while loop with a "
                "constant bound");
      En.Live = false;
      return;
    }
    std::set<const Stmt *> GotoAncestors;
    for (const Stmt *A = parentStmt(GS); A; A = parentStmt(A))
      GotoAncestors.insert(A);
    for (const Stmt *A = parentStmt(Target); A; A = parentStmt(A))
      if ((isa<ForStmt>(A) || isa<WhileStmt>(A) || isa<DoStmt>(A) ||
           isa<SwitchStmt>(A) || isa<StmtExpr>(A)) &&
          !GotoAncestors.count(A)) {
        error(GS, "goto into the body of a loop, a switch or a statement "
                  "expression is not supported by scrcc");
        En.Live = false;
        return;
      }
    Stack.back().Gotos[GS->getLabel()].push_back({GS, En});
    En.Live = false;
  }

  const Stmt *parentStmt(const Stmt *S) {
    auto Ps = Ctx.getParents(*S);
    return Ps.empty() ? nullptr : Ps[0].get<Stmt>();
  }

  /// `L: stmt`: reached by falling through and by every goto L so far.
  void label(const LabelStmt *LS, Env &En) {
    auto &Gotos = Stack.back().Gotos;
    if (auto It = Gotos.find(LS->getDecl()); It != Gotos.end()) {
      for (auto J = It->second.rbegin(); J != It->second.rend(); ++J)
        En = joinEnv(En, J->second, nullptr); // latest first, as for returns
      Gotos.erase(It);
    }
    exec(LS->getSubStmt(), En);
  }

  /// Switch bodies: every case label is entered from the switch (Entry)
  /// or by falling through from the previous case.
  /// A label entered from the switch adds what it implies about the
  /// packet-only condition \p Cond: `case C` that Cond == C, `default`
  /// that Cond differs from every case.
  void switchBody(const Stmt *S, Env &En, const Env &Entry,
                  const SwitchStmt *SS, const SymRef &Cond) {
    if (const auto *CS = dyn_cast<CompoundStmt>(S)) {
      for (const Stmt *C : CS->body())
        switchBody(C, En, Entry, SS, Cond);
      return;
    }
    if (const auto *SC = dyn_cast<SwitchCase>(S)) {
      Env Entered = Entry;
      if (Cond)
        switchLiterals(SC, SS, Cond, Entered.Lits);
      En = joinEnv(En, Entered, nullptr);
      switchBody(SC->getSubStmt(), En, Entry, SS, Cond);
      return;
    }
    exec(S, En);
  }

  /// The value of a `case` label, if it is a single non-negative constant.
  std::optional<uint64_t> caseValue(const SwitchCase *SC) {
    const auto *CS = dyn_cast<CaseStmt>(SC);
    if (!CS || CS->caseStmtIsGNURange() || CS->getLHS()->isValueDependent())
      return std::nullopt;
    Expr::EvalResult ER;
    if (!CS->getLHS()->EvaluateAsInt(ER, Ctx) || ER.Val.getInt().isNegative())
      return std::nullopt;
    return ER.Val.getInt().getZExtValue();
  }

  void switchLiterals(const SwitchCase *SC, const SwitchStmt *SS,
                      const SymRef &Cond, std::vector<Literal> &Lits) {
    auto Eq = [&](uint64_t V) {
      return Sym::op(Op::Eq, {Cond, Sym::constant(V)});
    };
    if (isa<CaseStmt>(SC)) {
      if (auto V = caseValue(SC))
        literalsOf(Eq(*V), true, Lits);
      return;
    }
    for (const SwitchCase *C = SS->getSwitchCaseList(); C;
         C = C->getNextSwitchCase()) {
      if (isa<DefaultStmt>(C))
        continue;
      auto V = caseValue(C);
      if (!V)
        return; // a label we cannot describe: claim nothing more
      literalsOf(Eq(*V), false, Lits);
    }
  }

  /// Literals that hold when a value with return cases \p Cases is
  /// \p Truth: those common to every case that gives that truth.
  static void caseLiterals(const ReturnCases &Cases, bool Truth,
                           std::vector<Literal> &Lits) {
    std::optional<std::vector<Literal>> Common;
    for (const auto &[CaseLits, X] : Cases) {
      if ((X != 0) != Truth)
        continue;
      if (!Common)
        Common = CaseLits;
      else
        intersect(*Common, CaseLits);
    }
    if (!Common)
      return; // no return gives this truth: the branch is dead
    for (const Literal &L : *Common) {
      bool Known = false;
      for (const Literal &M : Lits)
        Known |= M.second == L.second && symEquals(M.first, L.first);
      if (!Known && Lits.size() < MaxPathLiterals)
        Lits.push_back(L);
    }
  }

  /// A non-dirty constant.
  static std::optional<uint64_t> constantOf(const AbsVal *V) {
    if (V && V->K == AbsVal::Kind::Scalar && !V->Dirty && V->S->isConst())
      return V->S->Value;
    return std::nullopt;
  }

  /// \p X counts: a local (possibly incremented or decremented in place)
  /// that is a constant when the loop starts and another constant after
  /// the first iteration.
  static bool isCounter(const Expr *X, const Env &Entry, const Env &Back) {
    X = X->IgnoreParenImpCasts();
    if (const auto *UO = dyn_cast<UnaryOperator>(X);
        UO && UO->isIncrementDecrementOp())
      X = UO->getSubExpr()->IgnoreParenImpCasts();
    const auto *DR = dyn_cast<DeclRefExpr>(X);
    const auto *V = DR ? dyn_cast<VarDecl>(DR->getDecl()) : nullptr;
    if (!V || V->hasGlobalStorage())
      return false;
    auto At = [&](const Env &E) -> std::optional<uint64_t> {
      auto It = E.Vars.find(V);
      return constantOf(It == E.Vars.end() ? nullptr : &It->second);
    };
    auto Start = At(Entry), Next = At(Back);
    return Start && Next && *Start != *Next;
  }

  /// Whether loop condition \p C (evaluated from generation \p Gen on, in
  /// the loop's environment at its fixed point) bounds the loop, judged
  /// from values rather than spelling, so that bounds which are constants
  /// only once calls are inlined count: a comparison with a constant that
  /// the loop does not change (`i < len`, `len` a parameter given
  /// `sizeof(key)`), a counter compared for (in)equality or tested for
  /// zero (`while (n--)` with a constant `n`), either side of `&&`.
  bool boundedBy(const Expr *C, uint64_t Gen, const Env &Entry,
                 const Env &Back) {
    const Expr *Bare = C->IgnoreParenImpCasts();
    if (const auto *BO = dyn_cast<BinaryOperator>(Bare)) {
      if (BO->getOpcode() == BO_LAnd)
        return boundedBy(BO->getLHS(), Gen, Entry, Back) ||
               boundedBy(BO->getRHS(), Gen, Entry, Back);
      if (BO->isComparisonOp()) {
        bool L = constantOf(freshValue(BO->getLHS(), Gen)).has_value();
        bool R = constantOf(freshValue(BO->getRHS(), Gen)).has_value();
        if (L == R)
          return false; // both constant: the loop never ends this way
        if (BO->isRelationalOp())
          return true;
        return isCounter(L ? BO->getRHS() : BO->getLHS(), Entry, Back);
      }
    }
    return isCounter(Bare, Entry, Back); // `while (n--)`: n != 0
  }

  /// Reports a loop that has no bound the verifier can see. A body that
  /// never goes round again (`do { ... } while (0)`, or one whose every
  /// path breaks or returns) is no loop.
  void checkBounded(const Stmt *S, const Expr *Cond, uint64_t Gen,
                    const Env &Entry, const Env &Back, bool LoopsBack) {
    bool Ok = !LoopsBack || (Cond && !constantOf(freshValue(Cond, Gen)) &&
                             boundedBy(Cond, Gen, Entry, Back));
    if (!Ok)
      error(S, "loop without a constant bound: scrcc (and the verifier) "
               "need a condition that compares a counter with a value that "
               "is constant once calls are inlined, like 'for (i = 0; i < "
               "len; i++)' with a constant 'len', or counts a constant "
               "down to zero");
  }

  void loop(const Stmt *S, Env &En) {
    const Expr *Cond = nullptr;
    const Stmt *Body = nullptr, *Inc = nullptr;
    if (const auto *FS = dyn_cast<ForStmt>(S)) {
      if (FS->getInit())
        exec(FS->getInit(), En);
      Cond = FS->getCond();
      Body = FS->getBody();
      Inc = FS->getInc();
    } else if (const auto *WS = dyn_cast<WhileStmt>(S)) {
      Cond = WS->getCond();
      Body = WS->getBody();
    } else {
      const auto *DS = cast<DoStmt>(S);
      Cond = DS->getCond();
      Body = DS->getBody();
    }
    bool IsDo = isa<DoStmt>(S);
    if (unroll(Cond, Body, Inc, IsDo, En))
      return; // walked to its end: bounded
    Env Head = En, Back;
    std::vector<Env> Exits;
    uint64_t CondGen = 0;
    bool LoopsBack = false;
    auto Test = [&](Env &Cur) {
      CondGen = Generation + 1; // checkBounded() reads its operands
      eval(Cond, Cur);
      Exits.push_back(Cur);
    };
    // Iterate to a fixed point; values that keep changing become unknown.
    for (int Iter = 0; Iter < 6; ++Iter) {
      Env Cur = Head;
      if (!IsDo && Cond)
        Test(Cur);
      Stack.back().Loops.push_back({});
      exec(Body, Cur);
      LoopCtx L = std::move(Stack.back().Loops.back());
      Stack.back().Loops.pop_back();
      for (const Env &C : L.Continues)
        Cur = joinEnv(Cur, C, nullptr);
      if (Inc)
        exec(Inc, Cur);
      if (IsDo && Cond)
        Test(Cur);
      for (const Env &B : L.Breaks)
        Exits.push_back(B);
      if (Iter == 0)
        Back = Cur;
      LoopsBack |= Cur.Live;
      Env Next = joinEnv(Head, Cur, nullptr);
      if (Iter >= 4) // widen
        for (auto &[D, V] : Next.Vars)
          if (auto It = Head.Vars.find(D);
              It == Head.Vars.end() || !(It->second == V))
            V = AbsVal::unknown(mayBePacket(V));
      if (sameEnv(Next, Head))
        break;
      Head = Next;
    }
    checkBounded(S, Cond, CondGen, En, Back, LoopsBack);
    En = joinExits(Exits);
  }

  /// The state after a loop: the join of its exits, latest first (a later
  /// exit has passed the checks an earlier one failed).
  static Env joinExits(const std::vector<Env> &Exits) {
    Env Out;
    Out.Live = false;
    for (auto It = Exits.rbegin(); It != Exits.rend(); ++It)
      Out = joinEnv(Out, *It, nullptr);
    return Out;
  }

  /// Iterations a loop with a condition known in every iteration is
  /// walked one by one (as clang unrolls it, and as the verifier walks
  /// it), keeping packet offsets exact: a VLAN-tag loop, a hash over the
  /// words of a key.
  static constexpr int MaxUnrolledIterations = 32;

  bool knownCondition(const Expr *Cond, Env &En, bool &Value) {
    AbsVal C = eval(Cond, En);
    if (C.K != AbsVal::Kind::Scalar || C.Dirty || !C.S->isConst())
      return false;
    Value = C.S->Value != 0;
    return true;
  }

  /// Walks the loop iteration by iteration from \p En; returns false (and
  /// leaves \p En alone) if the condition is ever unknown or the loop runs
  /// longer than MaxUnrolledIterations. The iterations walked before
  /// giving up are real executions, so what they recorded stays sound.
  bool unroll(const Expr *Cond, const Stmt *Body, const Stmt *Inc, bool IsDo,
              Env &En) {
    Env Cur = En;
    std::vector<Env> Exits;
    enum class Test { Unknown, Stays, Leaves };
    // The condition where the loop tests it; leaving joins the exits.
    auto Check = [&]() {
      bool Value = true;
      if (!knownCondition(Cond, Cur, Value))
        return Test::Unknown;
      if (Value)
        return Test::Stays;
      Exits.push_back(Cur);
      En = joinExits(Exits);
      return Test::Leaves;
    };
    if (!Cond)
      return false; // `for (;;)`: bounded only by its breaks
    for (int Iter = 0; Iter < MaxUnrolledIterations; ++Iter) {
      if (!IsDo)
        if (Test T = Check(); T != Test::Stays)
          return T == Test::Leaves;
      Stack.back().Loops.push_back({});
      exec(Body, Cur);
      LoopCtx L = std::move(Stack.back().Loops.back());
      Stack.back().Loops.pop_back();
      for (auto It = L.Continues.rbegin(); It != L.Continues.rend(); ++It)
        Cur = joinEnv(Cur, *It, nullptr);
      Exits.insert(Exits.end(), L.Breaks.begin(), L.Breaks.end());
      if (!Cur.Live) {
        En = joinExits(Exits);
        return true;
      }
      if (Inc)
        exec(Inc, Cur);
      if (IsDo)
        if (Test T = Check(); T != Test::Stays)
          return T == Test::Leaves;
    }
    return false;
  }
};

} // namespace

bool evaluateProgram(Program &P, EvalResult &R) {
  unsigned Before = P.Diags.errorCount();
  Evaluator(P, R).run();
  return P.Diags.errorCount() == Before;
}

} // namespace scrcc
