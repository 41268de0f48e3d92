//===- PacketContext.cpp - Where the program sees its xdp_md --------------===//

#include "PacketContext.h"
#include "StatementWalk.h"

#include "clang/AST/ParentMapContext.h"

using namespace clang;

namespace scrcc {

namespace {

bool isContextPointer(QualType T) {
  if (!T->isPointerType())
    return false;
  const RecordDecl *RD = T->getPointeeType()->getAsRecordDecl();
  return RD && RD->getName() == "xdp_md";
}

const Stmt *parentOf(ASTContext &Ctx, const Stmt *S) {
  auto Ps = Ctx.getParents(*S);
  return Ps.size() == 1 ? Ps[0].get<Stmt>() : nullptr;
}

} // namespace

std::optional<std::vector<const MemberExpr *>>
packetDataReads(Program &P, const EvalResult &R) {
  ASTContext &Ctx = P.Ctx;
  const SourceManager &SM = Ctx.getSourceManager();
  std::vector<const MemberExpr *> Reads;
  for (const FunctionDecl *F : R.Reached) {
    if (!F->hasBody())
      continue;
    std::vector<const Stmt *> Body;
    collectStatements(F->getBody(), Body);
    for (const Stmt *S : Body) {
      const auto *E = dyn_cast<Expr>(S);
      if (!E || !isContextPointer(E->getType()))
        continue;
      // An xdp_md pointer is only ever a parameter, read.
      if (isa<ParenExpr>(E))
        continue;
      if (const auto *IC = dyn_cast<ImplicitCastExpr>(E)) {
        if (IC->getCastKind() != CK_LValueToRValue)
          return std::nullopt;
        continue;
      }
      const auto *DR = dyn_cast<DeclRefExpr>(E);
      if (!DR || !isa<ParmVarDecl>(DR->getDecl()))
        return std::nullopt;
      const Stmt *Up = parentOf(Ctx, DR);
      while (Up && isa<ParenExpr, ImplicitCastExpr>(Up))
        Up = parentOf(Ctx, Up);
      if (const auto *ME = dyn_cast_or_null<MemberExpr>(Up)) {
        StringRef Field = ME->getMemberDecl()->getName();
        if (Field == "data_meta")
          return std::nullopt;
        if (Field == "data") {
          if (ME->getBeginLoc().isMacroID() || ME->getEndLoc().isMacroID() ||
              !SM.isInMainFile(ME->getBeginLoc()))
            return std::nullopt;
          Reads.push_back(ME);
        }
        continue;
      }
      // Given on to a function of the program, which is checked too.
      const auto *C = dyn_cast_or_null<CallExpr>(Up);
      const FunctionDecl *Callee = C ? directCallee(C) : nullptr;
      if (!Callee || !Callee->hasBody() || Callee->getBuiltinID())
        return std::nullopt;
      for (unsigned I = 0; I < C->getNumArgs(); ++I)
        if (C->getArg(I)->IgnoreParenImpCasts() == DR &&
            (I >= Callee->getNumParams() ||
             !isContextPointer(Callee->getParamDecl(I)->getType())))
          return std::nullopt;
    }
  }
  return Reads;
}

} // namespace scrcc
