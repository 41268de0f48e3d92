//===- InPlaceUpdate.cpp - Updates that may write the looked-up entry -----===//

#include "InPlaceUpdate.h"
#include "StatementWalk.h"

#include "clang/AST/ParentMapContext.h"
#include "clang/AST/RecursiveASTVisitor.h"

#include <functional>
#include <optional>
#include <set>

using namespace clang;

namespace scrcc {

namespace {

constexpr unsigned MapTypeHash = 1, MapTypeArray = 2;
constexpr int64_t FlagAny = 0, FlagExist = 2;

/// The variable \p E takes the address of (`&v`, through parentheses and
/// casts), if it is a local.
const VarDecl *addressedLocal(const Expr *E) {
  const auto *U = dyn_cast<UnaryOperator>(E->IgnoreParenCasts());
  if (!U || U->getOpcode() != UO_AddrOf)
    return nullptr;
  const auto *DR = dyn_cast<DeclRefExpr>(U->getSubExpr()->IgnoreParens());
  const auto *V = DR ? dyn_cast<VarDecl>(DR->getDecl()) : nullptr;
  return V && V->hasLocalStorage() && !V->getType().isVolatileQualified()
             ? V
             : nullptr;
}

/// The map `&M` names.
const VarDecl *addressedMap(const Expr *E) {
  const auto *U = dyn_cast<UnaryOperator>(E->IgnoreParenCasts());
  if (!U || U->getOpcode() != UO_AddrOf)
    return nullptr;
  const auto *DR = dyn_cast<DeclRefExpr>(U->getSubExpr()->IgnoreParens());
  return DR ? dyn_cast<VarDecl>(DR->getDecl()) : nullptr;
}

class Finder {
public:
  Finder(Program &P, const EvalResult &R)
      : P(P), R(R), Ctx(P.Ctx), SM(P.Ctx.getSourceManager()) {}

  std::vector<InPlaceUpdate> run() {
    std::vector<InPlaceUpdate> Out;
    for (const FunctionDecl *F : R.Reached) {
      if (!F->hasBody())
        continue;
      std::vector<const Stmt *> Body;
      collectStatements(F->getBody(), Body);
      bool Jumps = false;
      for (const Stmt *S : Body)
        Jumps |= isa<GotoStmt, IndirectGotoStmt, LabelStmt, AsmStmt>(S);
      if (Jumps)
        continue;
      for (const Stmt *S : Body) {
        const auto *U = dyn_cast<CallExpr>(S);
        if (U && helperName(U) == "bpf_map_update_elem")
          if (auto IP = match(U, Body))
            Out.push_back(*IP);
      }
    }
    return Out;
  }

private:
  Program &P;
  const EvalResult &R;
  ASTContext &Ctx;
  const SourceManager &SM;

  bool before(SourceLocation A, SourceLocation B) const {
    return SM.isBeforeInTranslationUnit(SM.getExpansionLoc(A),
                                        SM.getExpansionLoc(B));
  }

  const Stmt *parent(const Stmt *S) const {
    auto Ps = Ctx.getParents(*S);
    return Ps.size() == 1 ? Ps[0].get<Stmt>() : nullptr;
  }

  /// The map value type `__type(value, T)` declares, or a null type.
  static QualType valueType(const VarDecl *Map) {
    const RecordDecl *RD = Map->getType()->getAsRecordDecl();
    if (!RD)
      return QualType();
    for (const FieldDecl *FD : RD->fields())
      if (FD->getName() == "value" && FD->getType()->isPointerType())
        return FD->getType()->getPointeeType();
    return QualType();
  }

  /// True if every helper call on \p M is a lookup, update or delete.
  bool onlyKeyedCalls(const MapInfo *M) const {
    for (const auto &[C, Maps] : R.MapCalls) {
      if (!Maps.count(M))
        continue;
      std::string H = helperName(C);
      if (H != "bpf_map_lookup_elem" && H != "bpf_map_update_elem" &&
          H != "bpf_map_delete_elem")
        return false;
    }
    return true;
  }

  /// True if \p S may change \p M other than through a lookup: a helper
  /// call on it, a callback, a call of a function that may.
  bool mayChange(const Stmt *S, const MapInfo *M,
                 std::set<const FunctionDecl *> &Seen) const {
    if (const auto *DR = dyn_cast<DeclRefExpr>(S))
      if (isa<FunctionDecl>(DR->getDecl())) {
        const Stmt *Up = parent(DR);
        while (Up && isa<ImplicitCastExpr, ParenExpr>(Up))
          Up = parent(Up);
        const auto *C = dyn_cast_or_null<CallExpr>(Up);
        if (!C || C->getCallee()->IgnoreParenImpCasts() != DR)
          return true; // a function passed on: a callback
      }
    const auto *C = dyn_cast<CallExpr>(S);
    if (!C)
      return false;
    if (auto It = R.MapCalls.find(C); It != R.MapCalls.end())
      return It->second.count(M) && helperName(C) != "bpf_map_lookup_elem";
    const FunctionDecl *F = directCallee(C);
    if (!F || !F->hasBody() || F->getBuiltinID())
      return false;
    if (!Seen.insert(F).second)
      return false;
    std::vector<const Stmt *> Body;
    collectStatements(F->getBody(), Body);
    for (const Stmt *X : Body)
      if (mayChange(X, M, Seen))
        return true;
    return false;
  }

  /// True if the value \p DR reads (a pointer) is only dereferenced or
  /// tested, never copied: no other name for the element can outlive it.
  bool derefOrTest(const DeclRefExpr *DR) const {
    const Stmt *Up = parent(DR);
    if (!isa_and_nonnull<ImplicitCastExpr>(Up))
      return false;
    const Stmt *Use = parent(Up);
    while (Use && isa<ParenExpr>(Use))
      Use = parent(Use);
    if (const auto *U = dyn_cast_or_null<UnaryOperator>(Use))
      return U->getOpcode() == UO_Deref || U->getOpcode() == UO_LNot;
    if (const auto *ME = dyn_cast_or_null<MemberExpr>(Use))
      return ME->isArrow();
    if (const auto *AS = dyn_cast_or_null<ArraySubscriptExpr>(Use))
      return AS->getBase()->IgnoreParenImpCasts() == DR;
    if (const auto *BO = dyn_cast_or_null<BinaryOperator>(Use))
      return BO->isEqualityOp() || BO->isLogicalOp();
    if (const auto *IC = dyn_cast_or_null<ImplicitCastExpr>(Use))
      return IC->getCastKind() == CK_PointerToBoolean;
    if (const auto *CO = dyn_cast_or_null<ConditionalOperator>(Use))
      return CO->getCond()->IgnoreParenImpCasts() == DR;
    if (const auto *If = dyn_cast_or_null<IfStmt>(Use))
      return If->getCond()->IgnoreParenImpCasts() == DR;
    return false;
  }

  /// True if \p DR only reads the variable's value.
  bool readOnly(const DeclRefExpr *DR) const {
    const auto *IC = dyn_cast_or_null<ImplicitCastExpr>(parent(DR));
    return IC && IC->getCastKind() == CK_LValueToRValue;
  }

  /// True if \p DR is the variable an assignment, `++` or `--` writes.
  bool isWrite(const DeclRefExpr *DR) const {
    const Stmt *Up = parent(DR);
    const Expr *E = DR;
    while (Up && isa<ParenExpr>(Up)) {
      E = cast<Expr>(Up);
      Up = parent(Up);
    }
    if (const auto *BO = dyn_cast_or_null<BinaryOperator>(Up))
      return BO->isAssignmentOp() && BO->getLHS() == E;
    if (const auto *UO = dyn_cast_or_null<UnaryOperator>(Up))
      return UO->isIncrementDecrementOp();
    return false;
  }

  /// True if \p DR is `k` in `&k` given as the key of a map helper.
  bool mapKeyArg(const DeclRefExpr *DR) const {
    const Stmt *Up = parent(DR);
    while (Up && isa<ParenExpr>(Up))
      Up = parent(Up);
    const auto *U = dyn_cast_or_null<UnaryOperator>(Up);
    if (!U || U->getOpcode() != UO_AddrOf)
      return false;
    Up = parent(U);
    const Expr *Arg = U;
    while (Up && isa<ParenExpr, CastExpr>(Up)) {
      Arg = cast<Expr>(Up);
      Up = parent(Up);
    }
    const auto *C = dyn_cast_or_null<CallExpr>(Up);
    if (!C || C->getNumArgs() < 2 || C->getArg(1) != Arg)
      return false;
    // Helpers that only read their key (pop and peek write their second
    // argument).
    std::string H = helperName(C);
    return H == "bpf_map_lookup_elem" || H == "bpf_map_update_elem" ||
           H == "bpf_map_delete_elem";
  }

  std::optional<InPlaceUpdate> match(const CallExpr *U,
                                     const std::vector<const Stmt *> &Body) {
    if (U->getNumArgs() != 4)
      return std::nullopt;
    const VarDecl *MapDecl = addressedMap(U->getArg(0));
    const MapInfo *M = MapDecl ? P.mapFor(MapDecl) : nullptr;
    const VarDecl *Key = addressedLocal(U->getArg(1));
    const VarDecl *Val = addressedLocal(U->getArg(2));
    Expr::EvalResult Flags;
    if (!M || !Key || !Val ||
        (M->Type != MapTypeHash && M->Type != MapTypeArray) ||
        !onlyKeyedCalls(M) || !U->getArg(3)->EvaluateAsInt(Flags, Ctx))
      return std::nullopt;
    int64_t Fl = Flags.Val.getInt().getExtValue();
    if (Fl != FlagAny && Fl != FlagExist)
      return std::nullopt;
    QualType VT = valueType(MapDecl);
    if (VT.isNull() || !VT->isIntegerType() || Ctx.getTypeSize(VT) > 64 ||
        !Ctx.hasSameUnqualifiedType(VT, Val->getType()))
      return std::nullopt;

    // The lookup: `T *p = bpf_map_lookup_elem(&M, &k);`, the latest one
    // before the update.
    const VarDecl *Ptr = nullptr;
    const CallExpr *Lookup = nullptr;
    const DeclStmt *LookupStmt = nullptr;
    for (const Stmt *S : Body) {
      const auto *DS = dyn_cast<DeclStmt>(S);
      if (!DS || !before(DS->getEndLoc(), U->getBeginLoc()))
        continue;
      for (const Decl *D : DS->decls()) {
        const auto *V = dyn_cast<VarDecl>(D);
        const auto *C =
            V && V->hasInit()
                ? dyn_cast<CallExpr>(V->getInit()->IgnoreParenCasts())
                : nullptr;
        if (!C || helperName(C) != "bpf_map_lookup_elem" ||
            C->getNumArgs() != 2 || addressedMap(C->getArg(0)) != MapDecl ||
            addressedLocal(C->getArg(1)) != Key ||
            !V->getType()->isPointerType() ||
            !Ctx.hasSameUnqualifiedType(V->getType()->getPointeeType(), VT) ||
            V->getType().isVolatileQualified())
          continue;
        if (!LookupStmt ||
            before(LookupStmt->getBeginLoc(), DS->getBeginLoc())) {
          Ptr = V;
          Lookup = C;
          LookupStmt = DS;
        }
      }
    }
    if (!Ptr)
      return std::nullopt;

    // The update runs once after the lookup: in a later statement of the
    // lookup's block, not inside a loop below it.
    const auto *Block = dyn_cast_or_null<CompoundStmt>(parent(LookupStmt));
    if (!Block)
      return std::nullopt;
    const Stmt *Up = U;
    for (const Stmt *Next = parent(Up); Next && Next != Block;
         Next = parent(Next)) {
      if (isa<ForStmt, WhileStmt, DoStmt, StmtExpr>(Next))
        return std::nullopt;
      Up = Next;
    }
    if (parent(Up) != Block)
      return std::nullopt;

    std::set<const FunctionDecl *> Seen;
    for (const Stmt *S : Body) {
      bool Between = before(LookupStmt->getEndLoc(), S->getBeginLoc()) &&
                     before(S->getBeginLoc(), U->getBeginLoc());
      // Between the lookup and the update: no change of M, no way in
      // that skips the lookup.
      if (Between && (mayChange(S, M, Seen) || isa<SwitchCase>(S)))
        return std::nullopt;
      const auto *DR = dyn_cast<DeclRefExpr>(S);
      if (!DR || readOnly(DR))
        continue;
      // The key: assigned anywhere but between the two, its address seen
      // by map helpers alone.
      if (DR->getDecl() == Key && !mapKeyArg(DR) && (Between || !isWrite(DR)))
        return std::nullopt;
      // The pointer: only ever read.
      if (DR->getDecl() == Ptr)
        return std::nullopt;
    }
    for (const Stmt *S : Body)
      if (const auto *DR = dyn_cast<DeclRefExpr>(S))
        if (DR->getDecl() == Ptr && !derefOrTest(DR))
          return std::nullopt;
    // Nothing after the update sees the pointer (for a hash map it would
    // see the replaced element, with the write the new one).
    for (const Stmt *S : Body)
      if (const auto *DR = dyn_cast<DeclRefExpr>(S))
        if (DR->getDecl() == Ptr && before(U->getEndLoc(), DR->getBeginLoc()))
          return std::nullopt;
    return InPlaceUpdate{Lookup, U, Ptr, Val, M};
  }
};

} // namespace

std::vector<InPlaceUpdate> findInPlaceUpdates(Program &P, const EvalResult &R) {
  return Finder(P, R).run();
}

} // namespace scrcc
