//===- Replication.cpp - Can every written map be replicated? -------------===//

#include "Replication.h"

#include "clang/Lex/Lexer.h"

using namespace clang;

namespace scrcc {

unsigned declarationEnd(const VarDecl *D, const SourceManager &SM,
                        const LangOptions &LO, bool AllowInit) {
  SourceLocation Name = SM.getExpansionLoc(D->getLocation());
  StringRef Buf = SM.getBufferData(SM.getFileID(Name));
  unsigned Off = SM.getFileOffset(Name);
  Lexer Lex(SM.getLocForStartOfFile(SM.getFileID(Name)), LO, Buf.begin(),
            Buf.begin() + Off, Buf.end());
  Token T;
  int Depth = 0;
  for (Lex.LexFromRawLexer(T); T.isNot(tok::eof); Lex.LexFromRawLexer(T)) {
    if (T.isOneOf(tok::l_paren, tok::l_brace, tok::l_square))
      ++Depth;
    else if (T.isOneOf(tok::r_paren, tok::r_brace, tok::r_square))
      --Depth;
    else if (Depth == 0 &&
             (T.is(tok::comma) || (!AllowInit && T.is(tok::equal))))
      return 0;
    else if (Depth == 0 && T.is(tok::semi))
      return SM.getFileOffset(T.getLocation()) + 1;
  }
  return 0;
}

namespace {
/// Collects the DeclRefExprs to written globals below \p S, in order.
void collectGlobalRefs(const Stmt *S, const EvalResult &R,
                       std::vector<const DeclRefExpr *> &Out) {
  if (!S)
    return;
  if (const auto *E = dyn_cast<DeclRefExpr>(S))
    if (const auto *V = dyn_cast<VarDecl>(E->getDecl()))
      if (R.WrittenGlobals.count(V))
        Out.push_back(E);
  for (const Stmt *C : S->children())
    collectGlobalRefs(C, R, Out);
}

bool isZero(const Expr *I, const ASTContext &Ctx) {
  I = I->IgnoreImplicit();
  if (isa<ImplicitValueInitExpr>(I))
    return true;
  if (const auto *IL = dyn_cast<InitListExpr>(I)) {
    for (const Expr *E : IL->inits())
      if (!isZero(E, Ctx))
        return false;
    return true;
  }
  Expr::EvalResult ER;
  return I->EvaluateAsInt(ER, Ctx) && ER.Val.getInt() == 0;
}
} // namespace

std::vector<const DeclRefExpr *> writtenGlobalRefs(Program &P,
                                                   const EvalResult &R) {
  // Globals are used in function bodies (C initialisers are constants).
  std::vector<const DeclRefExpr *> Refs;
  for (const Decl *D : P.Ctx.getTranslationUnitDecl()->decls())
    if (const auto *F = dyn_cast<FunctionDecl>(D))
      if (F->doesThisDeclarationHaveABody())
        collectGlobalRefs(F->getBody(), R, Refs);
  return Refs;
}

std::string replicaHelperFor(const std::string &Helper) {
  static const char *const Rerouted[] = {
      "bpf_map_lookup_elem", "bpf_map_update_elem", "bpf_map_delete_elem",
      "bpf_map_push_elem",   "bpf_map_pop_elem",    "bpf_map_peek_elem"};
  for (const char *H : Rerouted)
    if (Helper == H)
      return "scr_map_" + Helper.substr(std::string("bpf_map_").size());
  return "";
}

bool checkReplication(Program &P, const EvalResult &R) {
  unsigned Before = P.Diags.errorCount();
  const SourceManager &SM = P.sourceManager();
  for (const auto &[D, M] : P.Maps) {
    if (!M.Written)
      continue;
    if (!replicaMapType(M.Type)) {
      P.Diags.error(D->getLocation(),
                    "map `" + M.Name + "` (" + M.TypeName +
                        ") is written by the program, but scrcc cannot give "
                        "every replica a private copy of a map of this type");
      continue;
    }
    // The emitter rewrites the definition into the replicas' (XdpEmitter).
    const RecordDecl *RD = D->getType()->getAsRecordDecl();
    SourceRange Brace = RD ? RD->getBraceRange() : SourceRange();
    if (Brace.isInvalid() || Brace.getBegin().isMacroID() ||
        Brace.getEnd().isMacroID() || !SM.isInMainFile(Brace.getBegin()) ||
        !SM.isInMainFile(SM.getExpansionLoc(D->getBeginLoc())) ||
        M.TypeLoc.isInvalid() || !SM.isInMainFile(M.TypeLoc))
      P.Diags.error(D->getLocation(),
                    "cannot replicate map `" + M.Name +
                        "`: its definition is not plain C in the input file "
                        "(it comes from a macro or a header)");
  }
  for (const auto &[C, Maps] : R.MapCalls) {
    const MapInfo *Written = nullptr, *Shared = nullptr;
    for (const MapInfo *M : Maps)
      (M->Written ? Written : Shared) = M;
    if (!Written)
      continue;
    std::string H = helperName(C);
    if (Shared) {
      P.Diags.error(C->getBeginLoc(),
                    "this call may operate on the replicated map `" +
                        Written->Name + "` or on the shared map `" +
                        Shared->Name +
                        "`: every replica has its own copy of the first "
                        "only, so the call cannot be rerouted; call the "
                        "helper on each map separately");
      continue;
    }
    SourceLocation Callee = C->getCallee()->getBeginLoc();
    if (!replicaHelperFor(H).empty() &&
        (Callee.isMacroID() || !SM.isInMainFile(Callee))) {
      P.Diags.error(C->getBeginLoc(),
                    "scrcc cannot reroute this call on a replicated map to "
                    "the running replica's copy: the helper is named inside "
                    "a macro or outside the input file");
      continue;
    }
    if (replicaHelperFor(H).empty())
      P.Diags.error(C->getBeginLoc(),
                    "'" + H + "' on the written map `" + Written->Name +
                        "` is not supported: every replica owns a private "
                        "copy of that map, and scrcc reroutes only lookups, "
                        "updates, deletes, pushes, pops and peeks to it");
  }
  // Written globals become a one-entry array per replica (XdpEmitter):
  // their declarations and every use are rewritten.
  for (const auto &[V, Where] : R.WrittenGlobals) {
    std::string Why;
    SourceLocation Loc = V->getLocation();
    if (Loc.isMacroID() || !SM.isInMainFile(Loc) || V->hasExternalStorage())
      Why = "it is declared in a macro, a header or elsewhere (extern)";
    else if (V->getInit() && !isZero(V->getInit(), P.Ctx))
      Why = "it has an initial value (only zero-initialised globals can be "
            "replicated so far: move the value into a map)";
    else if (!declarationEnd(V, SM, P.Ctx.getLangOpts(), true))
      Why = "declare it on its own, as `TYPE " + V->getNameAsString() + ";`";
    if (!Why.empty())
      P.Diags.error(Loc, "cannot give every replica a private copy of the "
                         "written global `" +
                             V->getNameAsString() + "`: " + Why);
  }
  for (const DeclRefExpr *E : writtenGlobalRefs(P, R))
    if (E->getLocation().isMacroID() || !SM.isInMainFile(E->getLocation()))
      P.Diags.error(E->getBeginLoc(),
                    "the written global `" + E->getDecl()->getNameAsString() +
                        "` is named inside a macro or outside the input file: "
                        "scrcc cannot point this use at the replica's copy");
  return P.Diags.errorCount() == Before;
}

} // namespace scrcc
