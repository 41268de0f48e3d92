//===- Slicer.cpp - The state-update slice and its history fields ---------===//

#include "Slicer.h"

#include "clang/AST/PrettyPrinter.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/Lex/Lexer.h"

#include <cctype>
#include <cstring>
#include <list>
#include <ranges>

using namespace clang;

namespace scrcc {

bool isUnitParent(const Stmt *Parent, const Stmt *Child) {
  if (isa<CompoundStmt>(Parent))
    return true;
  if (const auto *IS = dyn_cast<IfStmt>(Parent))
    return Child == IS->getThen() || Child == IS->getElse();
  if (const auto *FS = dyn_cast<ForStmt>(Parent))
    return Child == FS->getBody();
  if (const auto *WS = dyn_cast<WhileStmt>(Parent))
    return Child == WS->getBody();
  if (const auto *DS = dyn_cast<DoStmt>(Parent))
    return Child == DS->getBody();
  if (const auto *SS = dyn_cast<SwitchStmt>(Parent))
    return Child == SS->getBody();
  if (const auto *SC = dyn_cast<SwitchCase>(Parent))
    return Child == SC->getSubStmt();
  if (const auto *LS = dyn_cast<LabelStmt>(Parent))
    return Child == LS->getSubStmt();
  // `#pragma unroll` wraps its loop: the loop stays a unit of its own, so
  // the slicer sees loops the same with or without the hint.
  if (const auto *AS = dyn_cast<AttributedStmt>(Parent))
    return Child == AS->getSubStmt();
  return false;
}

const Stmt *unitOf(const Stmt *S, ParentMap &PM) {
  const Stmt *Cur = S;
  while (const Stmt *Parent = PM.getParent(Cur)) {
    if (isUnitParent(Parent, Cur))
      return Cur;
    Cur = Parent;
  }
  return Cur;
}

namespace {

struct KeepReason {
  std::string Kind; // "state", "data", "control", "call"
  std::string Text;
  SourceLocation Loc;
  const Stmt *Because = nullptr;
};

class SliceBuilder {
public:
  SliceBuilder(Program &P, EvalResult &R, Slice &S)
      : P(P), R(R), S(S), Ctx(P.Ctx), SM(P.Ctx.getSourceManager()) {}

  bool run() {
    unsigned Before = P.Diags.errorCount();
    index();
    computeRelevance();
    for (const StateWrite &W : R.Writes) {
      const FunctionDecl *F = fnOf(W.Node);
      if (!F)
        continue;
      keep(unitOf(W.Node, *S.Parents[F]),
           {"state", W.What, W.Node->getBeginLoc(), nullptr});
    }
    bool Changed = true;
    for (int Iter = 0; Changed && Iter < 1000; ++Iter) {
      Changed = false;
      std::vector<const Stmt *> Units(S.Kept.begin(), S.Kept.end());
      for (const Stmt *U : Units)
        Changed |= processUses(U);
    }
    dropDeadBranches();
    // A local may have become needed after its declaration was visited.
    std::erase_if(S.UnreadLocals, [&](const VarDecl *V) {
      const auto *F = dyn_cast<FunctionDecl>(V->getDeclContext());
      return !F || NeededVars[F].count(V);
    });
    finishFields();
    return P.Diags.errorCount() == Before;
  }

private:
  Program &P;
  EvalResult &R;
  Slice &S;
  ASTContext &Ctx;
  const SourceManager &SM;
  std::map<const Stmt *, KeepReason> Reasons;
  std::map<const FunctionDecl *, std::vector<const Stmt *>> Exits;
  /// Exits of each function whose unit may not be kept yet, in source
  /// order.
  std::map<const FunctionDecl *, std::list<const Stmt *>> PendingExits;

  std::list<const Stmt *> &pendingExits(const FunctionDecl *F) {
    auto [It, New] = PendingExits.try_emplace(F);
    if (New) {
      std::vector<const Stmt *> Sorted = Exits[F];
      std::stable_sort(Sorted.begin(), Sorted.end(),
                       [&](const Stmt *A, const Stmt *B) {
                         return SM.isBeforeInTranslationUnit(A->getBeginLoc(),
                                                             B->getBeginLoc());
                       });
      It->second.assign(Sorted.begin(), Sorted.end());
    }
    return It->second;
  }

  bool inAnyLoop(const Stmt *U) {
    for (const Stmt *A = parentUnit(U); A; A = parentUnit(A))
      if (isa<ForStmt>(A) || isa<WhileStmt>(A) || isa<DoStmt>(A))
        return true;
    return false;
  }
  std::map<const FunctionDecl *, std::vector<const CallExpr *>> CallSites;
  std::map<const VarDecl *, std::vector<const Stmt *>> DefUnits;
  std::map<const FunctionDecl *, std::set<const VarDecl *>> NeededVars;
  std::set<const Stmt *> ReportedUnits;
  std::map<std::string, unsigned> FieldNames;
  unsigned EntryBits = 0; // of the fields so far, packed
  bool EntryFull = false;
  /// Conditions the relevance filter makes false for every history entry.
  std::set<const Expr *> KnownFalse;

  /// `if (check the filter implies false) return -1;` never runs for a
  /// history entry: leave such branches out of the replay altogether.
  void dropDeadBranches() {
    std::set<const Stmt *> Dead;
    for (const Stmt *U : S.Kept)
      if (const auto *IS = dyn_cast<IfStmt>(U))
        if (!IS->getElse() && !IS->getInit() && !IS->getConditionVariable() &&
            KnownFalse.count(IS->getCond()))
          Dead.insert(IS);
    if (Dead.empty())
      return;
    auto InDead = [&](const Stmt *U) {
      for (const Stmt *A = U; A; A = parentUnit(A))
        if (Dead.count(A))
          return true;
      return false;
    };
    std::erase_if(S.Kept, InDead);
    std::erase_if(S.Replace, [&](const auto &KV) {
      const FunctionDecl *F = fnOf(KV.first);
      return F && InDead(unitOf(KV.first, *S.Parents[F]));
    });
  }

  const FunctionDecl *fnOf(const Stmt *St) {
    auto It = S.FunctionOf.find(St);
    return It == S.FunctionOf.end() ? nullptr : It->second;
  }

  void index() {
    for (const FunctionDecl *F : R.Reached) {
      auto PM = std::make_unique<ParentMap>(const_cast<Stmt *>(F->getBody()));
      std::vector<const Stmt *> Todo = {F->getBody()};
      while (!Todo.empty()) {
        const Stmt *St = Todo.back();
        Todo.pop_back();
        if (!St)
          continue;
        S.FunctionOf[St] = F;
        if (isa<ReturnStmt>(St) || isa<BreakStmt>(St) ||
            isa<ContinueStmt>(St) || isa<GotoStmt>(St))
          Exits[F].push_back(St);
        if (const auto *DS = dyn_cast<DeclStmt>(St))
          for (const Decl *D : DS->decls())
            if (const auto *V = dyn_cast<VarDecl>(D))
              DefUnits[V].push_back(nullptr), DefUnits[V].back() = St;
        for (const Stmt *C : St->children())
          Todo.push_back(C);
      }
      S.Parents[F] = std::move(PM);
    }
    // Declarations are units through their enclosing statement.
    for (auto &[V, Units] : DefUnits)
      for (const Stmt *&U : Units)
        U = unitOf(U, *S.Parents[fnOf(U)]);
    for (const auto &[E, Vars] : R.Defs) {
      const FunctionDecl *F = fnOf(E);
      // A static function given &local defines it only where its body
      // stores (those stores are definitions of their own, and they make
      // the call relevant); keeping every such call would replay callees
      // that only read the local, outputs included.
      const auto *C = dyn_cast<CallExpr>(E);
      if (!F || (C && R.Calls.count(C)))
        continue;
      for (const VarDecl *V : Vars)
        DefUnits[V].push_back(unitOf(E, *S.Parents[F]));
    }
    for (const auto &[C, F] : R.Calls)
      if (fnOf(C))
        CallSites[F].push_back(C);
  }

  unsigned RelevanceDepth = 0;

  void computeRelevance() {
    if (!R.CommonLiterals) {
      S.Relevance = scr::Expr::constant(0); // the program keeps no state
      return;
    }
    for (const Literal &L : *R.CommonLiterals) {
      if (L.first->mentionsTimestamp())
        continue;
      // Only truth matters: bswap(x) != 0 exactly when x != 0.
      SymRef T = L.first;
      while (T->K == Sym::Kind::Bswap)
        T = T->Args[0];
      auto E = lowerToLayout(T);
      if (!E)
        continue;
      scr::ExprRef Term =
          L.second ? *E : scr::Expr::make(scr::Expr::Op::LNot, {*E});
      // A necessary condition left out only weakens the filter: stop
      // before the chain is deeper than a layout may be.
      unsigned Depth = std::max(RelevanceDepth, loweredDepth(*Term)) + 1;
      if (Depth > scr::MaxExprDepth)
        continue;
      RelevanceDepth = Depth;
      S.Assumed.push_back(L);
      S.Relevance = S.Relevance ? scr::Expr::make(scr::Expr::Op::LAnd,
                                                  {S.Relevance, Term})
                                : Term;
    }
    if (!S.Relevance)
      S.Relevance = scr::Expr::constant(1);
  }

  const Stmt *parentUnit(const Stmt *U) {
    const FunctionDecl *F = fnOf(U);
    const Stmt *Parent = S.Parents[F]->getParent(U);
    if (!Parent)
      return nullptr;
    return unitOf(Parent, *S.Parents[F]);
  }

  bool inLoop(const Stmt *X, const Stmt *Loop) {
    for (const Stmt *A = parentUnit(X); A; A = parentUnit(A))
      if (A == Loop)
        return true;
    return false;
  }

  bool mayPrecede(const Stmt *Exit, const Stmt *U) {
    if (SM.isBeforeInTranslationUnit(Exit->getBeginLoc(), U->getBeginLoc()))
      return true;
    for (const Stmt *A = parentUnit(U); A; A = parentUnit(A))
      if ((isa<ForStmt>(A) || isa<WhileStmt>(A) || isa<DoStmt>(A)) &&
          inLoop(Exit, A))
        return true;
    return false;
  }

  /// A break or continue skips only what is left of the loop (or switch)
  /// it leaves: code after that statement runs either way.
  bool maySkip(const Stmt *Exit, const Stmt *U) {
    if (!isa<BreakStmt>(Exit) && !isa<ContinueStmt>(Exit))
      return true;
    for (const Stmt *A = parentUnit(Exit); A; A = parentUnit(A))
      if (isa<ForStmt>(A) || isa<WhileStmt>(A) || isa<DoStmt>(A) ||
          (isa<SwitchStmt>(A) && isa<BreakStmt>(Exit)))
        return A == U || inLoop(U, A);
    return true;
  }

  bool keep(const Stmt *U, KeepReason Why) {
    if (!U || !S.Kept.insert(U).second)
      return false;
    Reasons[U] = Why;
    const FunctionDecl *F = fnOf(U);
    // A kept jump needs its label (the evaluator allows forward gotos only).
    if (const auto *GS = dyn_cast<GotoStmt>(U))
      if (const LabelStmt *LS = GS->getLabel()->getStmt())
        keep(unitOf(LS, *S.Parents[F]),
             {"control",
              "the target of the goto at " +
                  P.Diags.shortWhere(GS->getBeginLoc()),
              LS->getBeginLoc(), U});
    for (const Stmt *A = parentUnit(U), *Child = U; A;
         Child = A, A = parentUnit(A))
      keep(A, {"control", "encloses", A->getBeginLoc(), Child});
    // Only exits not kept yet need the order checks and a reason, and
    // outside loops only those before U in the source: with N checks that
    // each return, walking all exits for every kept unit cost N^2.
    std::list<const Stmt *> &Pending = pendingExits(F);
    bool Loop = inAnyLoop(U);
    std::vector<const Stmt *> Todo;
    for (auto It = Pending.begin(); It != Pending.end();) {
      if (S.Kept.count(unitOf(*It, *S.Parents[F]))) {
        It = Pending.erase(It);
        continue;
      }
      if (!Loop &&
          !SM.isBeforeInTranslationUnit((*It)->getBeginLoc(), U->getBeginLoc()))
        break;
      Todo.push_back(*It++);
    }
    // Latest first, as index() found them: the exit just before U is the
    // one that explains it.
    for (const Stmt *X : std::views::reverse(Todo)) {
      const Stmt *XU = unitOf(X, *S.Parents[F]);
      if (X != U && !S.Kept.count(XU) && mayPrecede(X, U) && maySkip(X, U))
        keep(XU, {"control",
                  "may skip the statement at " +
                      P.Diags.shortWhere(U->getBeginLoc()),
                  X->getBeginLoc(), U});
    }
    if (S.Relevant.insert(F).second)
      for (const CallExpr *C : CallSites[F])
        keep(unitOf(C, *S.Parents[fnOf(C)]),
             {"call", "calls `" + F->getNameAsString() + "`", C->getBeginLoc(),
              U});
    return true;
  }

  bool needVar(const FunctionDecl *F, const VarDecl *V, const Stmt *At,
               SourceLocation Loc) {
    if (!NeededVars[F].insert(V).second)
      return false;
    if (const auto *PV = dyn_cast<ParmVarDecl>(V)) {
      unsigned Idx = PV->getFunctionScopeIndex();
      if (F == P.Entry) {
        refuse(Loc, "the replayed state update uses the program's "
                    "context argument `" +
                        PV->getNameAsString() +
                        "` directly; only packet fields it reads can be "
                        "carried in the history");
        return false;
      }
      S.NeededParams.insert({F, Idx});
    }
    // Definitions may sit in callees that store through a pointer to V.
    for (const Stmt *D : DefUnits[V])
      if (fnOf(D))
        keep(D, {"data", "defines `" + V->getNameAsString() + "`",
                 D->getBeginLoc(), At});
    return true;
  }

  //===------------------------------------------------------------------===//
  // Uses and replacements
  //===------------------------------------------------------------------===//

  bool processUses(const Stmt *U) {
    const FunctionDecl *F = fnOf(U);
    Changed = false;
    Cur = U;
    CurFn = F;
    auto Own = [&](const Stmt *St, bool Bool) {
      if (!St)
        return;
      if (const auto *DS = dyn_cast<DeclStmt>(St)) {
        for (const Decl *D : DS->decls())
          if (const auto *V = dyn_cast<VarDecl>(D))
            if (const Expr *I = V->getInit()) {
              bool Ignored = isIgnoredCall(I, V);
              if (Ignored)
                S.UnreadLocals.insert(V);
              visit(I, false, Ignored);
            }
        return;
      }
      if (const auto *E = dyn_cast<Expr>(St))
        visit(E, Bool, false);
    };
    if (const auto *IS = dyn_cast<IfStmt>(U)) {
      Own(IS->getInit(), false);
      Own(IS->getCond(), true);
    } else if (const auto *FS = dyn_cast<ForStmt>(U)) {
      Own(FS->getInit(), false);
      Own(FS->getCond(), true);
      Own(FS->getInc(), false);
    } else if (const auto *WS = dyn_cast<WhileStmt>(U)) {
      Own(WS->getCond(), true);
    } else if (const auto *DS = dyn_cast<DoStmt>(U)) {
      Own(DS->getCond(), true);
    } else if (const auto *SS = dyn_cast<SwitchStmt>(U)) {
      Own(SS->getInit(), false);
      Own(SS->getCond(), false);
    } else if (const auto *RS = dyn_cast<ReturnStmt>(U)) {
      if (const Expr *V = RS->getRetValue()) {
        if (S.ValueNeeded.count(F) && F != P.Entry)
          Own(V, false);
        else if (hasEffects(V)) // `return f(...)`: the call still runs
          visit(V, false, true);
      }
    } else if (isa<DeclStmt>(U)) {
      Own(U, false);
    } else if (const auto *E = dyn_cast<Expr>(U)) {
      const Expr *Top = E->IgnoreParenImpCasts();
      if (const auto *CS = dyn_cast<CStyleCastExpr>(Top))
        if (CS->getType()->isVoidType())
          Top = CS->getSubExpr()->IgnoreParenImpCasts();
      visit(E, false, isa<CallExpr>(Top));
    }
    return Changed;
  }

  const Stmt *Cur = nullptr;
  const FunctionDecl *CurFn = nullptr;
  bool Changed = false;

  bool hasEffects(const Stmt *St) { return scrcc::hasEffects(St, R, S); }

  /// True if \p Init is a call whose value is unused because the variable
  /// it initialises is not needed.
  bool isIgnoredCall(const Expr *Init, const VarDecl *V) {
    return isa<CallExpr>(Init->IgnoreParenImpCasts()) &&
           !NeededVars[CurFn].count(V);
  }

  static bool isBooleanExpr(const Expr *E) {
    E = E->IgnoreParens();
    if (const auto *BO = dyn_cast<BinaryOperator>(E))
      return BO->isComparisonOp() || BO->isLogicalOp();
    if (const auto *UO = dyn_cast<UnaryOperator>(E))
      return UO->getOpcode() == UO_LNot;
    return false;
  }

  /// Visits an expression of a kept unit. \p TopValueUnused: the value of
  /// this (call) expression is discarded.
  void visit(const Expr *E, bool Bool, bool TopValueUnused) {
    if (S.Replace.count(E))
      return;
    if (tryReplace(E, Bool))
      return;
    const Expr *Bare = E->IgnoreParenImpCasts();
    // A local read into the slice must not be a packet pointer or the
    // context: report it here, where it is used.
    if (const auto *IC = dyn_cast<ImplicitCastExpr>(E))
      if (IC->getCastKind() == CK_LValueToRValue &&
          isa<DeclRefExpr>(IC->getSubExpr()->IgnoreParens()))
        if (checkNotPacketPointer(E))
          return;
    if (const auto *DR = dyn_cast<DeclRefExpr>(E)) {
      if (const auto *V = dyn_cast<VarDecl>(DR->getDecl()))
        if (!V->hasGlobalStorage() && !P.mapFor(V)) {
          Changed |= needVar(CurFn, V, Cur, DR->getBeginLoc());
        }
      return;
    }
    if (const auto *CE = dyn_cast<CallExpr>(E)) {
      // Outputs run for the current packet only; one the state update
      // depends on would run for every history entry, and its result
      // (whether a ring buffer had room, ...) differs per core.
      std::string H = helperName(CE);
      if (isOutputHelper(H)) {
        reportOnce(CE, "the replayed state update depends on '" + H +
                           "', an output: its result differs per core (each "
                           "has its own buffer space) and history entries "
                           "must produce no output, so replicas would "
                           "diverge; make the state update independent of "
                           "it");
        return;
      }
      // `bpf_map_lookup_elem(&m, &iph->saddr)`, `memcpy(&key, &ip6h->saddr,
      // 16)`: the callee reads bytes from the packet; the replay passes
      // history fields instead.
      for (unsigned I = 1; I < CE->getNumArgs() && I < 3; ++I)
        replacePacketArgument(CE, I, H);
      auto It = R.Calls.find(CE);
      if (It != R.Calls.end()) {
        const FunctionDecl *F = It->second;
        for (unsigned I = 0; I < CE->getNumArgs(); ++I) {
          const Expr *A = CE->getArg(I);
          if (S.NeededParams.count({F, I}) || !(A->getType()->isScalarType())) {
            S.Replace.erase(A);
            visit(A, false, false);
          } else if (!S.Replace.count(A)) {
            S.Replace[A] = "0";
          }
        }
        if (!TopValueUnused && S.ValueNeeded.insert(F).second) {
          Changed = true;
          for (const Stmt *X : Exits[F])
            if (isa<ReturnStmt>(X))
              keep(unitOf(X, *S.Parents[F]),
                   {"data",
                    "returns the value used at " +
                        P.Diags.shortWhere(CE->getBeginLoc()),
                    X->getBeginLoc(), Cur});
        }
        return;
      }
    }
    (void)Bare;
    // A statement expression's value is its last statement; the others
    // are units of their own, kept by the usual rules (the emitter prunes
    // the rest of the body).
    if (const auto *SE = dyn_cast<StmtExpr>(E)) {
      if (const Stmt *Last = SE->getSubStmt()->body_back())
        Changed |= keep(Last, {"data", "the value of a statement expression",
                               Last->getBeginLoc(), Cur});
      return;
    }
    auto Visit = [&](const Stmt *C, bool B) {
      if (const auto *CE = dyn_cast_or_null<Expr>(C))
        visit(CE, B, false);
    };
    if (const auto *BO = dyn_cast<BinaryOperator>(E)) {
      bool L = BO->isLogicalOp();
      Visit(BO->getLHS(), L);
      Visit(BO->getRHS(), L);
      return;
    }
    if (const auto *UO = dyn_cast<UnaryOperator>(E)) {
      Visit(UO->getSubExpr(), UO->getOpcode() == UO_LNot);
      return;
    }
    if (const auto *CO = dyn_cast<ConditionalOperator>(E)) {
      Visit(CO->getCond(), true);
      Visit(CO->getTrueExpr(), Bool);
      Visit(CO->getFalseExpr(), Bool);
      return;
    }
    if (isa<ParenExpr>(E) || isa<ImplicitCastExpr>(E)) {
      for (const Stmt *C : E->children())
        Visit(C, Bool);
      return;
    }
    if (const auto *IL = dyn_cast<InitListExpr>(E))
      dropOverridden(IL);
    if (const auto *ME = dyn_cast<MemberExpr>(E)) {
      auto It = R.Values.find(ME->getBase());
      if (ME->isArrow() && It != R.Values.end() &&
          It->second.K == AbsVal::Kind::Ctx)
        reportOnce(E, "the replayed state update reads xdp_md field `" +
                          ME->getMemberDecl()->getNameAsString() +
                          "`, which the sequencer cannot provide");
    }
    for (const Stmt *C : E->children())
      Visit(C, false);
  }

  /// Size in bytes of a BTF map's `key` or `value` (`__type(key, T)` or
  /// `__uint(key_size, N)`), 0 if the map does not say.
  uint64_t mapPartBytes(const MapInfo &M, StringRef Part) {
    const RecordDecl *RD = M.Decl->getType()->getAsRecordDecl();
    if (!RD)
      return 0;
    for (const FieldDecl *FD : RD->fields()) {
      const auto *PT = FD->getType()->getAs<PointerType>();
      if (!PT)
        continue;
      QualType T = PT->getPointeeType();
      if (FD->getName() == Part && !T->isIncompleteType())
        return Ctx.getTypeSizeInChars(T).getQuantity();
      if (FD->getName() == (Part + "_size").str())
        if (const auto *AT = Ctx.getAsConstantArrayType(T))
          return AT->getSize().getZExtValue();
    }
    return 0;
  }

  /// Bytes a helper or builtin call \p CE reads through its argument \p I
  /// when that argument may point into the packet, 0 if unknown: the
  /// map's key or value size, a memcpy's constant length.
  uint64_t bytesRead(const CallExpr *CE, unsigned I, StringRef H) {
    if (const FunctionDecl *F = directCallee(CE); F && F->getBuiltinID()) {
      StringRef N = F->getName();
      Expr::EvalResult ER;
      if ((N == "__builtin_memcpy" || N == "memcpy" ||
           N == "__builtin_memmove" || N == "memmove") &&
          I == 1 && CE->getNumArgs() == 3 &&
          !CE->getArg(2)->isValueDependent() &&
          CE->getArg(2)->EvaluateAsInt(ER, Ctx))
        return ER.Val.getInt().getZExtValue();
      return 0;
    }
    auto It = R.MapCalls.find(CE);
    if (It == R.MapCalls.end() || It->second.size() != 1)
      return 0;
    const MapInfo &M = **It->second.begin();
    if (I == 1 && (H == "bpf_map_lookup_elem" || H == "bpf_map_delete_elem" ||
                   H == "bpf_map_update_elem"))
      return mapPartBytes(M, "key");
    if (I == 2 && H == "bpf_map_update_elem")
      return mapPartBytes(M, "value");
    return 0;
  }

  /// An argument that points into the packet (`&iph->saddr` as a map key,
  /// `&ip6h->saddr` copied into a key) becomes a pointer to a compound
  /// literal holding the same bytes, carried as history fields of at most
  /// 8 bytes each. Only where scrcc knows how many bytes the callee reads
  /// (the map's key or value size, the copy's constant length): anything
  /// else stays a packet pointer, which the slice refuses.
  bool replacePacketArgument(const CallExpr *CE, unsigned I,
                             const std::string &H) {
    const Expr *A = CE->getArg(I);
    auto It = R.Values.find(A);
    if (It == R.Values.end() || S.Replace.count(A))
      return false;
    const AbsVal &V = It->second;
    const Expr *Bare = A->IgnoreParenImpCasts();
    if (V.K != AbsVal::Kind::PktPtr || V.Dirty || V.NullIf ||
        !Bare->getType()->isPointerType())
      return false;
    QualType T = Bare->getType()->getPointeeType();
    uint64_t Bytes = bytesRead(CE, I, H);
    if (Bytes == 0 || Bytes > MaxPacketArgumentBytes)
      return false;
    // A pointer to one integer of exactly that size keeps its type.
    bool Whole = !T->isIncompleteType() && T->isIntegerType() &&
                 (uint64_t)Ctx.getTypeSizeInChars(T).getQuantity() == Bytes;
    std::string Text = sourceText(Bare);
    if (Text.empty())
      return false;
    const auto *UO = dyn_cast<UnaryOperator>(Bare);
    std::string Name = UO && UO->getOpcode() == UO_AddrOf
                           ? sourceText(UO->getSubExpr())
                           : Text;
    // One field per 8, 4, 2 or 1 bytes, in packet order.
    std::vector<std::pair<std::string, std::string>> Parts; // C type, value
    for (uint64_t Off = 0; Off < Bytes;) {
      uint64_t Chunk = 8;
      while (Chunk > Bytes - Off)
        Chunk /= 2;
      auto Where = lowerToLayout(
          simplify(Sym::op(scr::Expr::Op::Add, {V.S, Sym::constant(Off)})));
      if (!Where)
        return false;
      scr::Field F;
      F.Name = Name;
      F.K = scr::Field::Kind::Packet;
      F.Bits = 8 * Chunk;
      F.Offset = *Where;
      F.CType = "__u" + std::to_string(8 * Chunk);
      if (Chunk == Bytes && Whole)
        F.CType = typeText(T);
      std::string CType = F.CType;
      Parts.push_back({CType, addField(std::move(F), A, false)});
      Off += Chunk;
    }
    if (Parts.size() == 1 && Whole) {
      S.Replace[A] = "&(" + typeText(T) + "){" + Parts[0].second + "}";
      return true;
    }
    std::string Members, Values;
    for (size_t P = 0; P < Parts.size(); ++P) {
      Members += Parts[P].first + " b" + std::to_string(P) + "; ";
      Values += (P ? ", " : "") + Parts[P].second;
    }
    S.Replace[A] = "(void *)&(struct __attribute__((packed)) { " + Members +
                   "}){ " + Values + " }";
    return true;
  }

  /// Bytes of one packet argument carried in the history (an IPv6 address
  /// pair and ports fit).
  static constexpr uint64_t MaxPacketArgumentBytes = 40;

  /// `{.ack = x, .ack = y}`: the semantic form Clang gives the analysis
  /// keeps only y, and x is never evaluated (C11 6.7.9p19), but x is still
  /// in the source text the replay copies. Replace it by a constant, or
  /// the copy reads whatever x reads (a packet pointer it does not have).
  void dropOverridden(const InitListExpr *IL) {
    const InitListExpr *Syn = IL->getSyntacticForm();
    if (!Syn)
      return;
    std::set<const Expr *> Used;
    std::vector<const InitListExpr *> Todo = {IL};
    while (!Todo.empty()) {
      const InitListExpr *L = Todo.back();
      Todo.pop_back();
      for (const Expr *I : L->inits()) {
        Used.insert(I->IgnoreImplicit());
        if (const auto *Sub = dyn_cast<InitListExpr>(I->IgnoreImplicit()))
          Todo.push_back(Sub);
      }
    }
    for (const Expr *I : Syn->inits()) {
      const auto *D = dyn_cast<DesignatedInitExpr>(I);
      if (!D || Used.count(D->getInit()->IgnoreImplicit()) ||
          isa<InitListExpr>(D->getInit()->IgnoreImplicit()))
        continue;
      S.Replace[D->getInit()] =
          D->getInit()->getType()->isScalarType()
              ? "0 /* scr: overridden by a later initializer */"
              : "{0} /* scr: overridden by a later initializer */";
    }
  }

  void reportOnce(const Stmt *St, const std::string &Msg) {
    if (ReportedUnits.insert(St).second)
      refuse(St->getBeginLoc(), Msg);
  }

  /// An error in the statement being sliced, with notes that say why it is
  /// replayed: the chain of dependences from it to the state update that
  /// --explain prints for a history field.
  void refuse(SourceLocation Loc, const std::string &Msg) {
    P.Diags.error(Loc, Msg);
    std::set<const Stmt *> Seen;
    for (const Stmt *U = Cur; U && Seen.insert(U).second && Seen.size() <= 8;) {
      auto It = Reasons.find(U);
      if (It == Reasons.end())
        break;
      const KeepReason &K = It->second;
      if (K.Kind != "control" || K.Text != "encloses")
        P.Diags.note(K.Loc, (K.Kind == "call" ? std::string("data") : K.Kind) +
                                " dependence: " + K.Text);
      U = K.Because;
    }
  }

  /// Reports (and returns true) if \p E is a packet pointer or the context.
  bool checkNotPacketPointer(const Expr *E) {
    auto It = R.Values.find(E);
    if (It == R.Values.end())
      return false;
    const AbsVal &V = It->second;
    if (V.K == AbsVal::Kind::PktPtr || V.K == AbsVal::Kind::DataEnd ||
        V.MayPacket) {
      reportOnce(E, "a packet pointer flows into the state update here; "
                    "scrcc can carry packet values in the history, not "
                    "pointers into the packet");
      return true;
    }
    if (V.K == AbsVal::Kind::Ctx) {
      // Passing ctx to a helper whose effect is replayed (e.g. a load
      // of packet bytes into a key) cannot be replayed either.
      reportOnce(E, "the program context flows into the state update here; "
                    "only packet fields the program reads directly can be "
                    "carried in the history");
      return true;
    }
    return false;
  }

  std::string sourceText(const Expr *E) {
    CharSourceRange CR = Lexer::makeFileCharRange(
        CharSourceRange::getTokenRange(E->getSourceRange()), SM,
        Ctx.getLangOpts());
    if (CR.isInvalid())
      return "";
    return Lexer::getSourceText(CR, SM, Ctx.getLangOpts()).str();
  }

  std::string fieldName(const std::string &Text, const char *Prefix) {
    std::string N = Prefix;
    bool Sep = !N.empty();
    for (char C : Text) {
      if (std::isalnum((unsigned char)C)) {
        if (Sep && !N.empty() && N.back() != '_')
          N += '_';
        N += char(std::tolower((unsigned char)C));
        Sep = false;
      } else {
        Sep = true;
      }
      if (N.size() > 40)
        break;
    }
    // Drop noise that says nothing about the field.
    for (const char *Noise :
         {"bpf_htons_", "bpf_ntohs_", "bpf_htonl_", "bpf_ntohl_", "void_"}) {
      size_t At;
      while ((At = N.find(Noise)) != std::string::npos)
        N.erase(At, std::strlen(Noise));
    }
    if (N.empty() || std::isdigit((unsigned char)N[0]))
      N = "f_" + N;
    unsigned &Count = FieldNames[N];
    if (Count++)
      N += "_" + std::to_string(Count);
    return N;
  }

  std::string typeText(QualType T) {
    PrintingPolicy PP(Ctx.getLangOpts());
    PP.SuppressTagKeyword = false;
    return T.getUnqualifiedType().getAsString(PP);
  }

  std::vector<scr::Reason> chain(const Stmt *U) {
    std::vector<scr::Reason> Out;
    std::set<const Stmt *> Seen;
    while (U && Seen.insert(U).second && Out.size() < 8) {
      const KeepReason &K = Reasons[U];
      bool Skip = K.Text.rfind("may skip", 0) == 0;
      bool PrevSkip = !Out.empty() && Out.back().Text.rfind("may skip", 0) == 0;
      if ((K.Kind != "control" || K.Text != "encloses") && !(Skip && PrevSkip))
        Out.push_back({K.Kind == "state"  ? "state"
                       : K.Kind == "call" ? "data"
                                          : K.Kind,
                       K.Text, P.Diags.shortWhere(K.Loc)});
      U = K.Because;
    }
    return Out;
  }

  /// The same packet bytes as raw bytes (host-order reads) and as a
  /// big-endian value: one field serves both, through a byte swap.
  static bool sameBytes(const scr::Field &Raw, const scr::Field &Val) {
    return Raw.K == scr::Field::Kind::Packet &&
           Val.K == scr::Field::Kind::Value &&
           Val.Value->K == scr::Expr::Op::Pkt &&
           Val.Value->Bytes * 8 == Raw.Bits &&
           Val.Value->Args[0]->equals(*Raw.Offset);
  }

  /// Adds (or finds) a field; returns the C text that reads it.
  std::string addField(scr::Field F, const Expr *E, bool IsCond) {
    for (unsigned I = 0; I < S.Fields.size(); ++I) {
      scr::Field &G = S.Fields[I];
      bool Same = G.K == F.K && G.Bits == F.Bits &&
                  ((F.Offset && G.Offset && F.Offset->equals(*G.Offset)) ||
                   (F.Value && G.Value && F.Value->equals(*G.Value)) ||
                   (F.K == scr::Field::Kind::Timestamp) ||
                   (F.K == scr::Field::Kind::Length));
      std::string Text = "scr_e->" + G.Name;
      if (!Same && (sameBytes(G, F) || sameBytes(F, G))) {
        Same = true;
        if (G.Bits > 8)
          Text = "__builtin_bswap" + std::to_string(G.Bits) + "(" + Text + ")";
      }
      if (Same) {
        addWhy(G, E, IsCond);
        return Text;
      }
    }
    // A slot holds at most MaxSlotBytes: say where the history overflows,
    // once, instead of letting the layout check refuse it without a place.
    EntryBits += F.Bits;
    if (EntryBits > scr::MaxSlotBytes * 8) {
      if (!EntryFull)
        refuse(E->getBeginLoc(),
               "the history entry would need more than " +
                   std::to_string(scr::MaxSlotBytes * 8) +
                   " bits (a slot holds at most " +
                   std::to_string(scr::MaxSlotBytes) +
                   " bytes): the state update depends on too many "
                   "packet values (this one would be field " +
                   std::to_string(S.Fields.size() + 1) + ")");
      EntryFull = true;
      return "0";
    }
    if (F.K != scr::Field::Kind::Timestamp && F.K != scr::Field::Kind::Length)
      F.Name =
          fieldName(F.Name, F.K == scr::Field::Kind::Predicate ? "p_" : "");
    addWhy(F, E, IsCond);
    S.Fields.push_back(std::move(F));
    return "scr_e->" + S.Fields.back().Name;
  }

  void addWhy(scr::Field &F, const Expr *E, bool IsCond) {
    if (F.Why.size() > 12)
      return;
    std::string At = P.Diags.shortWhere(E->getBeginLoc());
    for (const auto &W : F.Why)
      if (W.Location == At)
        return;
    F.Why.push_back({IsCond ? "control" : "data",
                     IsCond ? "condition `" + sourceText(E) + "`"
                            : "value `" + sourceText(E) + "`",
                     At});
    for (auto &C : chain(Cur))
      F.Why.push_back(C);
  }

  bool tryReplace(const Expr *E, bool Bool) {
    auto It = R.Values.find(E);
    if (It == R.Values.end())
      return false;
    const AbsVal &V = It->second;
    if (V.Dirty && V.K != AbsVal::Kind::Ptr) {
      reportOnce(E, "state depends on packet bytes scrcc cannot describe "
                    "to the sequencer (read after the program wrote the "
                    "packet, at an offset it cannot compute, or compared "
                    "in bulk by memcmp)");
      return true;
    }
    if (V.K != AbsVal::Kind::Scalar || !V.S)
      return false;
    if (!V.S->mentionsPacket() && !V.S->mentionsTimestamp())
      return false;
    if (!E->getType()->isScalarType() || !E->isPRValue())
      return false;
    // Assignments and calls with effects stay; their parts are replaced.
    // The clock is the exception: it is a history field.
    if (E->HasSideEffects(Ctx)) {
      const auto *C = dyn_cast<CallExpr>(E->IgnoreParenImpCasts());
      if (!C || helperName(C).rfind("bpf_ktime_get", 0) != 0)
        return false;
    }
    bool IsCond = Bool || isBooleanExpr(E);
    // A local is carried where it is defined, not where it is read;
    // except a value a loop leaves behind (a VLAN loop's EtherType): the
    // evaluator knows it exactly after the loop, not per iteration.
    if (!IsCond && isa<DeclRefExpr>(E->IgnoreParenImpCasts()) &&
        !leftByLoop(cast<DeclRefExpr>(E->IgnoreParenImpCasts())))
      return false;
    std::string Text = sourceText(E);
    if (Text.empty())
      return false; // inside a macro: replace its parts instead
    if (IsCond) {
      SymRef A = assume(V.S, S.Assumed);
      // Only truth matters: bswap(x) != 0 exactly when x != 0.
      while (A->K == Sym::Kind::Bswap)
        A = A->Args[0];
      if (A->isConst()) {
        if (!A->Value)
          KnownFalse.insert(E);
        S.Replace[E] = std::string(A->Value ? "1" : "0") + " /* scr: always " +
                       (A->Value ? "true" : "false") +
                       " for packets in the history */";
        return true;
      }
      auto L = lowerToLayout(A);
      if (!L)
        return false;
      scr::Field F;
      F.Name = Text;
      F.K = scr::Field::Kind::Predicate;
      F.Bits = 1;
      F.Value = *L;
      F.CType = "__u8";
      S.Replace[E] = addField(std::move(F), E, true);
      return true;
    }
    SymRef Sv = simplify(V.S);
    scr::Field F;
    F.CType = typeText(E->getType());
    unsigned TypeBits = Ctx.getTypeSize(E->getType());
    if (Sv->K == Sym::Kind::Timestamp) {
      F.Name = "ts";
      F.K = scr::Field::Kind::Timestamp;
      F.Bits = S.TimestampBits;
      F.CType = "__u64";
    } else if (Sv->K == Sym::Kind::Len) {
      F.Name = "pkt_len";
      F.K = scr::Field::Kind::Length;
      F.Bits = 16;
    } else if (R.PacketReads.count(E) &&
               (Sv->K == Sym::Kind::Load ||
                (Sv->K == Sym::Kind::Bswap &&
                 Sv->Args[0]->K == Sym::Kind::Load &&
                 Sv->Args[0]->Bytes == Sv->Bytes)) &&
               TypeBits ==
                   8 * (Sv->K == Sym::Kind::Load ? Sv->Bytes : Sv->Bytes)) {
      const SymRef &Ld = Sv->K == Sym::Kind::Load ? Sv : Sv->Args[0];
      auto Off = lowerToLayout(Ld->Args[0]);
      if (!Off)
        return false;
      F.Name = Text;
      F.K = scr::Field::Kind::Packet;
      F.Bits = 8 * Ld->Bytes;
      F.Offset = *Off;
    } else {
      if (Sv->mentionsTimestamp())
        return false;
      // A computed value can be wider than the packet bits it is computed
      // from (a shifted window, a difference of lengths): then carry the
      // parts and let the replay compute it.
      // Parts are C sub-expressions, though: carry them only if that is
      // also cheaper than the value (`iph->saddr & 0xff00` is 16 bits of
      // value but a 32-bit part).
      unsigned ValueBits = std::min(TypeBits, significantBits(Sv));
      if (atomBits(Sv) < ValueBits && partsBits(E) < ValueBits)
        return false;
      auto L = lowerToLayout(Sv);
      if (!L)
        return false;
      F.Name = Text;
      F.K = scr::Field::Kind::Value;
      F.Bits = std::min(TypeBits, significantBits(Sv));
      F.Value = *L;
    }
    S.Replace[E] = addField(std::move(F), E, false);
    return true;
  }

  /// True if the local \p DR reads is defined inside a loop that does not
  /// contain the read.
  bool leftByLoop(const DeclRefExpr *DR) {
    const auto *V = dyn_cast<VarDecl>(DR->getDecl());
    if (!V)
      return false;
    for (const Stmt *D : DefUnits[V]) {
      if (!fnOf(D) || fnOf(D) != CurFn)
        continue;
      for (const Stmt *A = parentUnit(D); A; A = parentUnit(A))
        if ((isa<ForStmt>(A) || isa<WhileStmt>(A) || isa<DoStmt>(A)) &&
            !inLoop(Cur, A) && Cur != A)
          return true;
    }
    return false;
  }

  /// Bits the packet-valued operands of \p E would take as fields of their
  /// own (an estimate of carrying the parts one level down).
  unsigned partsBits(const Expr *E) {
    unsigned Bits = 0;
    for (const Stmt *Ch : E->IgnoreParenImpCasts()->children()) {
      const auto *CE = dyn_cast_or_null<Expr>(Ch);
      if (!CE)
        continue;
      auto It = R.Values.find(CE);
      if (It == R.Values.end() || It->second.K != AbsVal::Kind::Scalar ||
          !It->second.S || !It->second.S->mentionsPacket())
        continue;
      unsigned TB = CE->getType()->isScalarType()
                        ? (unsigned)Ctx.getTypeSize(CE->getType())
                        : 64;
      Bits += std::min(TB, significantBits(simplify(It->second.S)));
    }
    return Bits;
  }

  /// Bits needed to carry the packet values \p S is computed from: loads,
  /// masked or shifted loads, the length.
  static unsigned atomBits(const SymRef &S) {
    std::vector<SymRef> Atoms;
    collectAtoms(S, Atoms);
    unsigned Bits = 0;
    for (const SymRef &A : Atoms)
      Bits += significantBits(A);
    return Bits;
  }

  static bool isAtom(const SymRef &S) {
    if (S->K == Sym::Kind::Load || S->K == Sym::Kind::Len)
      return true;
    if (S->K == Sym::Kind::Bswap)
      return isAtom(S->Args[0]);
    if (S->K == Sym::Kind::Op &&
        (S->O == scr::Expr::Op::And || S->O == scr::Expr::Op::Shr) &&
        S->Args[1]->isConst())
      return isAtom(S->Args[0]);
    return false;
  }

  static void collectAtoms(const SymRef &S, std::vector<SymRef> &Out) {
    if (isAtom(S)) {
      for (const SymRef &A : Out)
        if (A->equals(*S))
          return;
      Out.push_back(S);
      return;
    }
    for (const SymRef &A : S->Args)
      collectAtoms(A, Out);
  }

  void finishFields() {
    // Field names came from the first use; fix up replacement texts that
    // point at deduplicated fields (they already use the surviving name).
  }
};

} // namespace

bool hasEffects(const Stmt *St, const EvalResult &R, const Slice &S) {
  if (const auto *C = dyn_cast<CallExpr>(St)) {
    auto It = R.Calls.find(C);
    if (It != R.Calls.end() && S.Relevant.count(It->second))
      return true;
  }
  if (const auto *E = dyn_cast<Expr>(St))
    for (const StateWrite &W : R.Writes)
      if (W.Node == E)
        return true;
  for (const Stmt *Ch : St->children())
    if (Ch && hasEffects(Ch, R, S))
      return true;
  return false;
}

bool computeSlice(Program &P, EvalResult &R, Slice &S) {
  return SliceBuilder(P, R, S).run();
}

} // namespace scrcc
