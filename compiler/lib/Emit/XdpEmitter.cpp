//===- XdpEmitter.cpp - Writes the SCR-aware and reference programs -------===//

#include "XdpEmitter.h"
#include "../Analysis/InPlaceUpdate.h"
#include "../Analysis/PacketContext.h"
#include "../Analysis/Replication.h"
#include "FrameCheck.h"
#include "LossRecovery.h"
#include "PacketExpr.h"
#include "ReplicaState.h"
#include "ScrHeader.h"
#include "scrcc/Spdx.h"

#include "clang/AST/Attr.h"
#include "clang/AST/ParentMapContext.h"
#include "clang/AST/PrettyPrinter.h"
#include "clang/Lex/Lexer.h"
#include "clang/Rewrite/Core/Rewriter.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Regex.h"
#include "llvm/Support/raw_ostream.h"
#include <cstring>
#include <functional>
#include <set>

using namespace clang;

namespace scrcc {

namespace {

class Emitter {
public:
  Emitter(Program &P, const EvalResult &R, const Slice &S, const scr::Layout &L)
      : P(P), R(R), S(S), L(L), Ctx(P.Ctx), SM(P.Ctx.getSourceManager()),
        LO(P.Ctx.getLangOpts()) {}

  bool run(XdpOutputs &Out) {
    unsigned Before = P.Diags.errorCount();
    std::string Clones = replayClones();
    std::string Scr = scrProgram(Clones);
    std::string Ref = refProgram();
    if (P.Diags.errorCount() != Before)
      return false;
    Out.ScrProgram = std::move(Scr);
    Out.RefProgram = std::move(Ref);
    return true;
  }

private:
  Program &P;
  const EvalResult &R;
  const Slice &S;
  const scr::Layout &L;
  ASTContext &Ctx;
  const SourceManager &SM;
  const LangOptions &LO;
  std::vector<std::pair<const Expr *, std::string>> NonAtomic;
  bool NonAtomicDone = false;
  const std::vector<InPlaceUpdate> InPlace = findInPlaceUpdates(P, R);
  /// The original's `ctx->data` reads, if they are how it reaches the
  /// packet (PacketContext.h): then it runs past the prefix, which is
  /// stripped only from a packet that goes on. The loss-recovery entry
  /// strips first.
  const std::optional<std::vector<const MemberExpr *>> DataReads =
      L.LossRecovery ? std::nullopt : packetDataReads(P, R);

  CharSourceRange fileRange(SourceRange SR) {
    return Lexer::makeFileCharRange(CharSourceRange::getTokenRange(SR), SM, LO);
  }

  bool replace(Rewriter &Rw, SourceRange SR, const std::string &Text,
               const Stmt *At) {
    CharSourceRange CR = fileRange(SR);
    if (CR.isInvalid() || !SM.isInMainFile(CR.getBegin()) ||
        Rw.ReplaceText(CR, Text)) {
      P.Diags.error(At ? At->getBeginLoc() : SR.getBegin(),
                    "scrcc cannot rewrite this code (it is inside a macro "
                    "or outside the input file)");
      return false;
    }
    return true;
  }

  /// Range of statement \p St including a directly following ';'.
  SourceRange withSemi(const Stmt *St) {
    // A statement that is a whole macro invocation (`bpf_printk(...);`)
    // is cut with its ';' as written in the file. One that is only part
    // of a macro's expansion keeps its macro locations: it cannot be cut
    // from the text, and replace() says so.
    SourceLocation Begin = St->getBeginLoc(), End = St->getEndLoc();
    if (Begin.isMacroID() || End.isMacroID()) {
      SourceLocation FileBegin, FileEnd;
      if (!Begin.isMacroID() || !End.isMacroID() ||
          !Lexer::isAtStartOfMacroExpansion(Begin, SM, LO, &FileBegin) ||
          !Lexer::isAtEndOfMacroExpansion(End, SM, LO, &FileEnd))
        return St->getSourceRange();
      Begin = FileBegin;
      End = FileEnd;
    }
    SourceLocation AfterSemi =
        Lexer::findLocationAfterToken(End, tok::semi, SM, LO, false);
    if (AfterSemi.isValid())
      return SourceRange(Begin, AfterSemi.getLocWithOffset(-1));
    return SourceRange(Begin, End);
  }

  bool kept(const Stmt *St) const { return S.Kept.count(St) != 0; }

  //===------------------------------------------------------------------===//
  // The replay clones
  //===------------------------------------------------------------------===//

  void pruneSub(Rewriter &Rw, const Stmt *Sub) {
    // Nothing to prune in an empty statement; the implicit one of a label
    // at the end of a block (`default: }`) sits on the label's colon.
    if (!Sub || isa<NullStmt>(Sub))
      return;
    if (kept(Sub))
      prune(Rw, Sub);
    else
      replace(Rw, withSemi(Sub), ";", Sub);
  }

  /// Statement expressions in \p St's own expressions (its sub-statements
  /// are units, pruned on their own): their bodies are pruned like blocks.
  void pruneStatementExpressions(Rewriter &Rw, const Stmt *St) {
    if (const auto *SE = dyn_cast<StmtExpr>(St))
      return prune(Rw, SE->getSubStmt());
    for (const Stmt *C : St->children()) {
      if (!C || isUnitParent(St, C))
        continue;
      if (const auto *E = dyn_cast<Expr>(C); E && S.Replace.count(E))
        continue; // replaced as a whole
      pruneStatementExpressions(Rw, C);
    }
  }

  /// History entries never print: a `bpf_printk` inside a macro the slice
  /// keeps (`DROP_WITH_REASON(...)`) cannot be cut out of the text, so the
  /// trace helpers expand to nothing in the replay clones.
  static std::string silenceOutputs(const std::string &Clones) {
    if (Clones.empty())
      return Clones;
    std::string Push, Pop;
    // The format and argument arrays bpf_printk declares are still "used".
    const std::pair<const char *, const char *> Silenced[] = {
        {"bpf_trace_printk", "(fmt, ...) ((void)(fmt), 0)"},
        {"bpf_trace_vprintk", "(fmt, size, args, len) ((void)(fmt), "
                              "(void)(args), 0)"}};
    for (const auto &[H, Def] : Silenced) {
      Push += std::string("#pragma push_macro(\"") + H + "\")\n#undef " + H +
              "\n#define " + H + Def + "\n";
      Pop +=
          std::string("#undef ") + H + "\n#pragma pop_macro(\"" + H + "\")\n";
    }
    return "/* History entries never print. */\n" + Push + "\n" + Clones + Pop +
           "\n";
  }

  /// True if \p St, left in a replay clone, does nothing but print: no
  /// state, no locals, no packet reads, no calls but the trace helpers
  /// (silenced there). Such statements inside a macro may stay.
  bool onlyPrints(const Stmt *St) {
    if (const auto *E = dyn_cast<Expr>(St)) {
      if (R.Defs.count(E) || R.PacketReads.count(E) || S.Replace.count(E))
        return false;
      if (const auto *C = dyn_cast<CallExpr>(E)) {
        std::string H = helperName(C);
        if (H != "bpf_trace_printk" && H != "bpf_trace_vprintk")
          return false;
      }
      if (isa<BinaryOperator>(E) && cast<BinaryOperator>(E)->isAssignmentOp())
        return false;
    }
    if (const auto *DS = dyn_cast<DeclStmt>(St))
      for (const Decl *D : DS->decls())
        if (const auto *V = dyn_cast<VarDecl>(D);
            !V || !V->isStaticLocal() || !V->getType().isConstQualified())
          return false; // only bpf_printk's `static const char fmt[]`
    for (const Stmt *C : St->children())
      if (C && !onlyPrints(C))
        return false;
    return true;
  }

  void prune(Rewriter &Rw, const Stmt *St) {
    if (!isa<CompoundStmt>(St))
      pruneStatementExpressions(Rw, St);
    if (const auto *CS = dyn_cast<CompoundStmt>(St)) {
      for (const Stmt *C : CS->body()) {
        if (const auto *SC = dyn_cast<SwitchCase>(C)) {
          pruneCase(Rw, SC);
          continue;
        }
        if (kept(C))
          prune(Rw, C);
        else if (!(C->getBeginLoc().isMacroID() && onlyPrints(C)))
          replace(Rw, withSemi(C), "", C);
        else if (CharSourceRange CR = fileRange(withSemi(C));
                 CR.isValid() && SM.isInMainFile(CR.getBegin()))
          Rw.ReplaceText(CR, ""); // a whole `bpf_printk(...);`, if it can
      }
      return;
    }
    if (const auto *IS = dyn_cast<IfStmt>(St)) {
      pruneSub(Rw, IS->getThen());
      if (IS->getElse())
        pruneSub(Rw, IS->getElse());
      return;
    }
    if (const auto *FS = dyn_cast<ForStmt>(St))
      return pruneSub(Rw, FS->getBody());
    if (const auto *WS = dyn_cast<WhileStmt>(St))
      return pruneSub(Rw, WS->getBody());
    if (const auto *DS = dyn_cast<DoStmt>(St))
      return pruneSub(Rw, DS->getBody());
    if (const auto *SS = dyn_cast<SwitchStmt>(St))
      return prune(Rw, SS->getBody());
    if (const auto *SC = dyn_cast<SwitchCase>(St))
      return pruneCase(Rw, SC);
    if (const auto *LS = dyn_cast<LabelStmt>(St))
      return pruneSub(Rw, LS->getSubStmt());
    // A kept loop keeps its `#pragma unroll`; a dropped one loses it with
    // the loop (the pragma is inside the statement's range).
    if (const auto *AS = dyn_cast<AttributedStmt>(St))
      return pruneSub(Rw, AS->getSubStmt());
  }

  /// Case labels stay (removing one would send its values to `default`);
  /// only the statements under them are pruned.
  void pruneCase(Rewriter &Rw, const SwitchCase *SC) {
    const Stmt *Sub = SC->getSubStmt();
    if (const auto *Inner = dyn_cast<SwitchCase>(Sub))
      return pruneCase(Rw, Inner);
    pruneSub(Rw, Sub);
  }

  bool insideReplaced(const Stmt *St, const FunctionDecl *F) {
    ParentMap &PM = *S.Parents.at(F);
    for (const Stmt *A = PM.getParent(St); A; A = PM.getParent(A))
      if (const auto *E = dyn_cast<Expr>(A))
        if (S.Replace.count(E))
          return true;
    return false;
  }

  /// Drops the blank lines pruning leaves behind: at most one blank line
  /// in a row, none right after '{' or before '}'.
  static std::string tidy(const std::string &Text) {
    std::vector<std::string> Lines;
    std::string Line;
    for (char C : Text + "\n") {
      if (C != '\n') {
        Line += C;
        continue;
      }
      bool Blank = Line.find_first_not_of(" \t") == std::string::npos;
      if (Blank)
        Line.clear();
      Lines.push_back(Line);
      Line.clear();
    }
    std::string Out;
    for (size_t I = 0; I < Lines.size(); ++I) {
      const std::string &L = Lines[I];
      if (L.empty()) {
        bool PrevBlankOrOpen = Out.empty() || Out.size() < 2 ||
                               Out[Out.size() - 2] == '\n' ||
                               Out[Out.size() - 2] == '{';
        size_t J = I + 1;
        while (J < Lines.size() && Lines[J].empty())
          ++J;
        bool NextClose =
            J >= Lines.size() ||
            Lines[J].find_first_not_of(" \t") == std::string::npos ||
            Lines[J][Lines[J].find_first_not_of(" \t")] == '}';
        if (PrevBlankOrOpen || NextClose)
          continue;
      }
      Out += L + "\n";
    }
    while (!Out.empty() && Out.back() == '\n')
      Out.pop_back();
    return Out;
  }

  std::string replayName(const FunctionDecl *F) {
    return F->getNameAsString() + "__scr_replay";
  }

  /// The parameters of a replay clone; those \p Body never names are
  /// marked unused (the slice may drop every use, e.g. of data/data_end).
  std::string paramList(const FunctionDecl *F, const std::string &Body) {
    auto Unused = [&](llvm::StringRef Name) {
      llvm::Regex Word("(^|[^A-Za-z0-9_])" + Name.str() + "($|[^A-Za-z0-9_])");
      return Word.match(Body) ? "" : " __attribute__((unused))";
    };
    std::string Out = std::string("const struct scr_fields *scr_e") +
                      Unused("scr_e") + ", const struct scr_frame *scr_fr" +
                      Unused("scr_fr");
    if (F == P.Entry)
      return Out;
    PrintingPolicy PP(LO);
    for (const ParmVarDecl *PV : F->parameters()) {
      std::string T;
      llvm::raw_string_ostream OS(T);
      PV->getType().print(OS, PP, PV->getName());
      Out += ", " + OS.str() +
             (PV->getName().empty() ? "" : Unused(PV->getName()));
    }
    return Out;
  }

  std::string replayClones() {
    Rewriter Rw(const_cast<SourceManager &>(SM), LO);
    for (const auto &[E, Text] : S.Replace)
      replace(Rw, E->getSourceRange(), Text, E);
    for (const auto &[C, F] : R.Calls) {
      const FunctionDecl *Caller = nullptr;
      if (auto It = S.FunctionOf.find(C); It != S.FunctionOf.end())
        Caller = It->second;
      if (!Caller || !S.Relevant.count(F) || !S.Relevant.count(Caller))
        continue;
      if (!kept(unitOf(C, *S.Parents.at(Caller))) || insideReplaced(C, Caller))
        continue;
      SourceLocation NameLoc =
          SM.getExpansionLoc(C->getCallee()->getBeginLoc());
      auto LParen = Lexer::findNextToken(
          SM.getExpansionLoc(C->getCallee()->getEndLoc()), SM, LO);
      if (!LParen || LParen->getKind() != tok::l_paren) {
        P.Diags.error(C->getBeginLoc(), "scrcc cannot rewrite this call");
        continue;
      }
      Rw.ReplaceText(CharSourceRange::getCharRange(
                         NameLoc, LParen->getLocation().getLocWithOffset(1)),
                     replayName(F) + "(scr_e, scr_fr" +
                         (C->getNumArgs() ? ", " : ""));
    }
    for (const auto &[C, Macro] : nonAtomicUpdates()) {
      auto It = S.FunctionOf.find(C);
      if (It == S.FunctionOf.end() || !S.Relevant.count(It->second) ||
          insideReplaced(C, It->second) ||
          !kept(unitOf(C, *S.Parents.at(It->second))))
        continue;
      replaceCallee(Rw, C, Macro);
    }
    auto InSlice = [&](const CallExpr *C) {
      auto It = S.FunctionOf.find(C);
      return It != S.FunctionOf.end() && S.Relevant.count(It->second) &&
             !insideReplaced(C, It->second) &&
             kept(unitOf(C, *S.Parents.at(It->second)));
    };
    bindMapCallsToFrame(Rw, InSlice);
    writeInPlace(Rw, InSlice);
    rewriteGlobals(
        Rw, /*Replicated=*/true,
        [&](const DeclRefExpr *E) {
          auto It = S.FunctionOf.find(E);
          return It != S.FunctionOf.end() && S.Relevant.count(It->second) &&
                 !insideReplaced(E, It->second) &&
                 kept(unitOf(E, *S.Parents.at(It->second)));
        },
        /*Declarations=*/false, /*ThroughFrame=*/true);
    for (const CallExpr *C : R.PrngCalls) {
      auto It = S.FunctionOf.find(C);
      if (It == S.FunctionOf.end() || !S.Relevant.count(It->second) ||
          insideReplaced(C, It->second))
        continue;
      if (kept(unitOf(C, *S.Parents.at(It->second))))
        replace(Rw, C->getSourceRange(), "scr_replica_prandom(scr_fr->rep)", C);
    }

    // Never leave the local clock in a replayed slice: history entries
    // must use the sequencer's timestamp for their own packet.
    for (const CallExpr *C : R.TimeCalls) {
      auto It = S.FunctionOf.find(C);
      if (It == S.FunctionOf.end() || !S.Relevant.count(It->second) ||
          S.Replace.count(C) || insideReplaced(C, It->second))
        continue;
      if (kept(unitOf(C, *S.Parents.at(It->second))))
        P.Diags.error(C->getBeginLoc(),
                      "internal error: the clock is read in the replayed "
                      "slice but was not turned into a history field");
    }
    // Locals kept only for their initialiser's call: say so, or the
    // clone warns about an unused variable.
    for (const VarDecl *V : S.UnreadLocals)
      Rw.InsertTextAfterToken(SM.getExpansionLoc(V->getLocation()),
                              " __attribute__((unused))");
    std::string Out;
    // Clones in source order: callees are defined before their callers.
    std::vector<const FunctionDecl *> Fns(S.Relevant.begin(), S.Relevant.end());
    std::sort(Fns.begin(), Fns.end(),
              [&](const FunctionDecl *A, const FunctionDecl *B) {
                return SM.isBeforeInTranslationUnit(A->getBeginLoc(),
                                                    B->getBeginLoc());
              });
    for (const FunctionDecl *F : Fns) {
      const Stmt *Body = F->getBody();
      prune(Rw, Body);
      bool Entry = F == P.Entry;
      bool Value = !Entry && S.ValueNeeded.count(F);
      for (const Stmt *U : S.Kept) {
        const auto *RS = dyn_cast<ReturnStmt>(U);
        if (!RS || S.FunctionOf.at(RS) != F || (Value && RS->getRetValue()))
          continue;
        std::string Ret =
            Entry || F->getReturnType()->isVoidType() ? "return;" : "return 0;";
        if (RS->getRetValue() && hasEffects(RS->getRetValue(), R, S)) {
          // `return f(...)`: keep the call for its state updates.
          SourceLocation Kw = SM.getExpansionLoc(RS->getBeginLoc());
          SourceRange WS = withSemi(RS);
          SourceLocation Semi = SM.getExpansionLoc(WS.getEnd());
          Rw.ReplaceText(Kw, 6, "{ (void)(");
          Rw.ReplaceText(Semi, 1, "); " + Ret + " }");
          continue;
        }
        replace(Rw, withSemi(RS), Ret, RS);
      }
      std::string RetType =
          Entry ? "void" : F->getReturnType().getAsString(PrintingPolicy(LO));
      Out += "/* The state-update slice of `" + F->getNameAsString() + "` (" +
             P.Diags.shortWhere(F->getLocation()) +
             "): packet reads are history fields. */\n";
      CharSourceRange BR = fileRange(Body->getSourceRange());
      std::string BodyText = tidy(Rw.getRewrittenText(BR));
      std::string Params = paramList(F, BodyText);
      Out += "static __always_inline " + RetType + " " + replayName(F) + "(" +
             Params + ")\n";
      // A value nobody uses: the slice may fall off the end of a non-void
      // function where the original returned; keep the C well-formed.
      if (!Entry && !Value && !F->getReturnType()->isVoidType() &&
          !BodyText.empty() && BodyText.back() == '}')
        BodyText.insert(BodyText.size() - 1, "\treturn 0;\n");
      Out += BodyText + "\n\n";
    }
    return Out;
  }

  //===------------------------------------------------------------------===//
  // The SCR program
  //===------------------------------------------------------------------===//

  SourceLocation prologueLoc() {
    SourceLocation Best;
    for (const Decl *D : Ctx.getTranslationUnitDecl()->decls()) {
      // Implicit declarations (e.g. builtins) sit wherever they were used.
      if (D->isImplicit() || !D->getBeginLoc().isFileID())
        continue;
      SourceLocation B = D->getBeginLoc();
      if (!SM.isInMainFile(B))
        continue;
      // Written globals become maps whose accessors use the prologue.
      bool Relevant =
          isa<FunctionDecl>(D) ||
          (isa<VarDecl>(D) && (cast<VarDecl>(D)->hasAttr<SectionAttr>() ||
                               R.WrittenGlobals.count(cast<VarDecl>(D))));
      if (Relevant &&
          (Best.isInvalid() || SM.isBeforeInTranslationUnit(B, Best)))
        Best = B;
    }
    return Best;
  }

  std::string hex(uint64_t V) {
    std::string S;
    llvm::raw_string_ostream OS(S);
    OS << llvm::format_hex(V, 2);
    return OS.str();
  }

  //===------------------------------------------------------------------===//
  // Atomic updates of replicated state
  //===------------------------------------------------------------------===//

  /// True if nothing reads the value of \p E (it is a statement of its own,
  /// cast to void, or the left of a comma).
  bool valueUnused(const Expr *E) {
    auto Ps = P.Ctx.getParents(*E);
    if (Ps.size() != 1)
      return false;
    const Stmt *PS = Ps[0].get<Stmt>();
    if (!PS)
      return false;
    if (const auto *CS = dyn_cast<CompoundStmt>(PS)) {
      // The last statement of `({ ... })` is the expression's value.
      auto Up = P.Ctx.getParents(*CS);
      return CS->body_back() != E || Up.empty() || !Up[0].get<StmtExpr>();
    }
    if (isa<SwitchCase>(PS) || isa<LabelStmt>(PS))
      return true;
    if (const auto *CE = dyn_cast<CStyleCastExpr>(PS))
      return CE->getType()->isVoidType();
    if (const auto *IS = dyn_cast<IfStmt>(PS))
      return IS->getThen() == E || IS->getElse() == E;
    if (const auto *FS = dyn_cast<ForStmt>(PS))
      return FS->getInc() == E || FS->getBody() == E;
    if (const auto *WS = dyn_cast<WhileStmt>(PS))
      return WS->getBody() == E;
    if (const auto *DS = dyn_cast<DoStmt>(PS))
      return DS->getBody() == E;
    if (const auto *BO = dyn_cast<BinaryOperator>(PS))
      return BO->getOpcode() == BO_Comma && BO->getLHS() == E;
    return false;
  }

  /// The macro doing \p Builtin's update without a locked instruction
  /// (scr_percpu_add, ...), or "" if it is not a plain arithmetic update.
  static std::string nonAtomicMacro(StringRef Builtin) {
    // Clang names the sized form it resolved to: __sync_fetch_and_add_8.
    for (StringRef Size : {"_1", "_2", "_4", "_8", "_16"})
      if (Builtin.consume_back(Size))
        break;
    for (StringRef Op : {"add", "sub", "or", "and", "xor"}) {
      std::string O = Op.str();
      if (Builtin == "__sync_fetch_and_" + O ||
          Builtin == "__sync_" + O + "_and_fetch")
        return "scr_percpu_" + O;
      if (Builtin == "__atomic_fetch_" + O ||
          Builtin == "__atomic_" + O + "_fetch")
        return "scr_percpu_" + O + "_mo";
    }
    return "";
  }

  /// Atomic read-modify-writes whose target is only ever replicated state
  /// (values of written maps) and whose result is unused: each replica
  /// alone touches its copy, so the locked instruction buys nothing
  /// (heavy_hitter's counters).
  const std::vector<std::pair<const Expr *, std::string>> &nonAtomicUpdates() {
    if (NonAtomicDone)
      return NonAtomic;
    NonAtomicDone = true;
    for (const auto &[E, V] : R.Values) {
      // __sync_* builtins are calls; __atomic_* ones are AtomicExprs.
      std::string Name;
      const Expr *Target = nullptr;
      if (const auto *C = dyn_cast<CallExpr>(E)) {
        const FunctionDecl *F = C->getDirectCallee();
        if (!F || C->getNumArgs() < 2)
          continue;
        Name = F->getName().str();
        Target = C->getArg(0);
      } else if (const auto *AE = dyn_cast<AtomicExpr>(E)) {
        Name = atomicBuiltinName(AE, Ctx);
        Target = AE->getPtr();
      } else {
        continue;
      }
      if (!SM.isInMainFile(SM.getExpansionLoc(E->getBeginLoc())))
        continue;
      std::string Macro = nonAtomicMacro(Name);
      if (Macro.empty() || !valueUnused(E))
        continue;
      auto It = R.Values.find(Target);
      if (It == R.Values.end())
        continue;
      const AbsVal &A = It->second;
      bool PerCpu = A.K == AbsVal::Kind::Ptr && !A.Maps.empty() &&
                    A.Locals.empty() && !A.Global && !A.MayPacket;
      // A replica's copy of a written map is touched by that replica
      // alone, one frame at a time.
      for (const MapInfo *M : A.Maps)
        PerCpu &= M->Written;
      if (PerCpu)
        NonAtomic.push_back({E, Macro});
    }
    return NonAtomic;
  }

  /// Replaces the builtin's name in the call \p E by \p To.
  void replaceCallee(Rewriter &Rw, const Expr *E, const std::string &To) {
    SourceLocation L;
    if (const auto *C = dyn_cast<CallExpr>(E))
      L = C->getCallee()->getBeginLoc();
    else
      L = cast<AtomicExpr>(E)->getBuiltinLoc();
    L = SM.getExpansionLoc(L);
    Rw.ReplaceText(L, Lexer::MeasureTokenLength(L, SM, LO), To);
  }

  std::string nonAtomicMacros() {
    std::set<std::string> Used;
    for (const auto &[C, Macro] : nonAtomicUpdates())
      Used.insert(Macro);
    if (Used.empty())
      return "";
    std::string O = "/* Atomic updates of replicated state whose result is "
                    "unused: each core\n"
                    " * alone touches its replica, so a plain update does "
                    "the same work\n"
                    " * without a locked instruction. */\n";
    static const std::pair<const char *, const char *> Ops[] = {{"add", "+="},
                                                                {"sub", "-="},
                                                                {"or", "|="},
                                                                {"and", "&="},
                                                                {"xor", "^="}};
    for (const auto &[Op, Assign] : Ops) {
      std::string M = std::string("scr_percpu_") + Op;
      if (Used.count(M))
        O += "#define " + M + "(p, v) ((void)(*(p) " + Assign + " (v)))\n";
      if (Used.count(M + "_mo"))
        O += "#define " + M + "_mo(p, v, order) ((void)(*(p) " + Assign +
             " (v)))\n";
    }
    return O + "\n";
  }

  /// What the generated code uses from bpf_helpers.h, for inputs that do
  /// not include it (old samples/bpf style: their own `SEC` and helper
  /// pointers): NULL, `__array`, and each helper the generated code calls
  /// that the input does not declare under its own name.
  std::string libbpfFallbacks() {
    static const std::pair<const char *, const char *> Helpers[] = {
        {"bpf_map_lookup_elem", "void *(*const bpf_map_lookup_elem)(void "
                                "*map, const void *key) = (void "
                                "*)BPF_FUNC_map_lookup_elem"},
        {"bpf_map_update_elem",
         "long (*const bpf_map_update_elem)(void *map, const void *key, "
         "const void *value, __u64 flags) = (void *)BPF_FUNC_map_update_elem"},
        {"bpf_map_delete_elem",
         "long (*const bpf_map_delete_elem)(void *map, const void *key) = "
         "(void *)BPF_FUNC_map_delete_elem"},
        {"bpf_map_push_elem",
         "long (*const bpf_map_push_elem)(void *map, const void *value, "
         "__u64 flags) = (void *)BPF_FUNC_map_push_elem"},
        {"bpf_map_pop_elem", "long (*const bpf_map_pop_elem)(void *map, void "
                             "*value) = (void *)BPF_FUNC_map_pop_elem"},
        {"bpf_map_peek_elem", "long (*const bpf_map_peek_elem)(void *map, "
                              "void *value) = (void *)BPF_FUNC_map_peek_elem"},
        {"bpf_xdp_adjust_head",
         "long (*const bpf_xdp_adjust_head)(struct xdp_md *xdp_md, int "
         "delta) = (void *)BPF_FUNC_xdp_adjust_head"},
        {"bpf_xdp_get_buff_len",
         "__u64 (*const bpf_xdp_get_buff_len)(struct xdp_md *xdp_md) = (void "
         "*)BPF_FUNC_xdp_get_buff_len"},
        {"bpf_loop", "long (*const bpf_loop)(__u32 nr_loops, void "
                     "*callback_fn, void *callback_ctx, __u64 flags) = (void "
                     "*)BPF_FUNC_loop"},
    };
    std::string Decls;
    for (const auto &[Name, Decl] : Helpers)
      if (Ctx.getTranslationUnitDecl()
              ->lookup(DeclarationName(&Ctx.Idents.get(Name)))
              .empty())
        Decls += std::string("static ") + Decl + ";\n";
    std::string O = "#ifndef NULL\n#define NULL ((void *)0)\n#endif\n"
                    "#ifndef __array\n#define __array(name, val) typeof(val) "
                    "*name[]\n#endif\n"
                    "#ifndef __noinline\n#define __noinline "
                    "__attribute__((noinline))\n#endif\n";
    if (!Decls.empty())
      O += "/* Helpers the code below calls, which the input does not "
           "declare. */\n"
           "#pragma clang diagnostic push\n"
           "#pragma clang diagnostic ignored \"-Wunused-const-variable\"\n" +
           Decls + "#pragma clang diagnostic pop\n";
    return O + "\n";
  }

  /// Helper pointers the input declares in its own file (old style, see
  /// libbpfFallbacks()) may lose their last call to the rewriting (the
  /// clock becomes scr_now(), map helpers their wrappers): mark them
  /// unused, as libbpf marks its own, so that -Wall stays quiet.
  void markHelperPointersUnused(Rewriter &Rw) {
    for (const Decl *D : Ctx.getTranslationUnitDecl()->decls()) {
      const auto *V = dyn_cast<VarDecl>(D);
      SourceLocation B = V ? V->getBeginLoc() : SourceLocation();
      if (V && B.isFileID() && SM.isInMainFile(B) &&
          V->getStorageClass() == SC_Static && V->getType()->isPointerType() &&
          V->getType()->getPointeeType()->isFunctionType() && V->hasInit() &&
          V->getInit()->IgnoreParenCasts()->getType()->isIntegerType())
        Rw.InsertTextBefore(B, "__attribute__((unused)) ");
    }
  }

  std::string scrPrologue() {
    std::string O;
    O += "/* ---- SCR runtime state (generated by scrcc) "
         "---------------------- */\n";
    O += libbpfFallbacks();
    O += "/* Helpers below are used only by some programs. */\n"
         "#pragma clang diagnostic push\n"
         "#pragma clang diagnostic ignored \"-Wunused-function\"\n";
    O += "/* One replica per RX queue 0 .. SCR_REPLICAS - 1. Every replica "
         "holds a\n"
         " * full, private copy of the state: read one replica's, never a "
         "sum. */\n"
         "#define SCR_REPLICAS " +
         std::to_string(L.Cores) + "\n\n";
    O += replicaRuntimeC(usedWrappers());
    O += "#define SCR_PRNG_SEED " + hex(L.PrngSeed) + "ULL\n\n";
    O += "/* bpf_ktime_get_ns() of the current packet: the sequencer's clock. "
         "*/\n"
         "static __always_inline __u64 scr_now(void)\n"
         "{\n\tstruct scr_current *cur = scr_current_get();\n\n"
         "\treturn cur ? cur->now : 0;\n}\n\n";
    O += prngBody("scr_replica_prandom", "struct scr_replica *st", "",
                  "st->prng");
    O += "/* The PRNG of the replica running on this CPU. */\n"
         "static __always_inline __u32 scr_prandom(void)\n"
         "{\n\treturn scr_replica_prandom(scr_this_replica());\n}\n\n";
    O += "#pragma clang diagnostic pop\n";
    O += nonAtomicMacros();
    O += "/* ---- end of SCR runtime state "
         "------------------------------------ */\n\n";
    return O;
  }

  std::string prngBody(const std::string &Name, const std::string &Params,
                       const std::string &Get, const std::string &State) {
    return "/* bpf_get_prandom_u32(): xorshift64*, replicated (same seed, "
           "same\n"
           " * sequence of calls on every core). */\n"
           "static __always_inline __u32 " +
           Name + "(" + Params + ")\n{\n" +
           (Get.empty() ? "" : "\t" + Get + "\n") +
           "\t__u64 x;\n\n\tif (!st)\n\t\treturn 0;\n"
           "\tx = " +
           State +
           " ^ SCR_PRNG_SEED;\n"
           "\tx ^= x >> 12;\n\tx ^= x << 25;\n\tx ^= x >> 27;\n"
           "\t" +
           State +
           " = x ^ SCR_PRNG_SEED;\n"
           "\treturn (__u32)((x * 0x2545F4914F6CDD1DULL) >> 32);\n}\n\n";
  }

  std::string fieldComment(const scr::Field &F) {
    switch (F.K) {
    case scr::Field::Kind::Packet:
      return "packet bytes at " + F.Offset->str();
    case scr::Field::Kind::Predicate:
      return "predicate " + F.Value->str();
    case scr::Field::Kind::Value:
      return "value " + F.Value->str();
    case scr::Field::Kind::Length:
      return "frame length";
    case scr::Field::Kind::Timestamp:
      return "sequencer timestamp (ns)";
    }
    return "";
  }

  std::string historyCode() {
    unsigned N = L.HistoryLength, E = L.entryBytes();
    bool Tor = L.Mode == scr::SequencerMode::Tor;
    std::string O;
    O +=
        "\n/* "
        "==================================================================\n"
        " * SCR (State-Compute Replication), generated by scrcc for " +
        std::to_string(L.Cores) +
        " cores.\n"
        " * Frame: " +
        (Tor ? "outer Ethernet (" +
                   std::to_string(scr::HeaderFormat::OuterEthernetBytes) +
                   " B) | "
             : "") +
        "SCR header (" + std::to_string(scr::HeaderFormat::Bytes) + " B) | " +
        std::to_string(N) + " history slots x " + std::to_string(E) +
        " B | original packet\n"
        " * (docs/packet-format.md). Each core fast-forwards its replica\n"
        " * through the history, then runs the original program.\n"
        " * ================================================================== "
        "*/\n";
    O += "#include <bpf/bpf_endian.h> /* the SCR header is big-endian */\n\n";
    O += "#define SCR_HISTORY_LEN " + std::to_string(N) + "\n";
    O += "#define SCR_ENTRY_BYTES " + std::to_string(E) + "\n";
    O += scrHeaderC(L.Mode);
    O += "/* One history entry, unpacked: the packet values the state update\n"
         " * depends on (scr_layout.json has why each one is needed). */\n";
    O += "struct scr_fields {\n";
    if (L.Fields.empty())
      O += "\t__u8 unused;\n";
    for (const scr::Field &F : L.Fields)
      O += "\t" + F.CType + " " + F.Name + ";\t/* " + fieldComment(F) + " */\n";
    O += "};\n\n";
    O += "#pragma clang diagnostic push\n"
         "#pragma clang diagnostic ignored \"-Wunused-function\"\n";
    O += "/* Bits [bit, bit + width) of a packed entry, most significant "
         "first. */\n"
         "static __always_inline __u64 scr_bits(const __u8 *raw, __u32 bit, "
         "__u32 width)\n"
         "{\n\t__u64 v = 0;\n\t__u32 i;\n\n"
         "\tfor (i = bit / 8; i <= (bit + width - 1) / 8; i++)\n"
         "\t\tv = (v << 8) | raw[i];\n"
         "\tv >>= 7 - (bit + width - 1) % 8;\n"
         "\treturn width >= 64 ? v : v & ((1ULL << width) - 1);\n}\n"
         "#pragma clang diagnostic pop\n\n";
    O += "static __always_inline void scr_decode(struct scr_fields *f, const "
         "__u8 *raw)\n{\n";
    for (const scr::Field &F : L.Fields) {
      // One load of the field's own type, as the original reads it from its
      // header (a memcpy from a byte pointer would be one load per byte:
      // LLVM's BPF target has no unaligned loads, the kernel takes them).
      bool Word = F.Bits == 16 || F.Bits == 32 || F.Bits == 64;
      if (F.K == scr::Field::Kind::Packet && F.BitOffset % 8 == 0 && Word)
        O += "\tf->" + F.Name + " = *(const " + F.CType + " *)(raw + " +
             std::to_string(F.BitOffset / 8) + ");\n";
      else if (F.K == scr::Field::Kind::Packet && F.BitOffset % 8 == 0)
        O += "\t__builtin_memcpy(&f->" + F.Name + ", raw + " +
             std::to_string(F.BitOffset / 8) + ", " +
             std::to_string(F.Bits / 8) + ");\n";
      else
        O += "\tf->" + F.Name + " = scr_bits(raw, " +
             std::to_string(F.BitOffset) + ", " + std::to_string(F.Bits) +
             ");\n";
    }
    O += "}\n\n";
    O += packetExprHelpersC() +
         frameCheckC(L, StringRef(P.Section).starts_with("xdp.frags"));
    return O;
  }

  /// Statements of the slice times history slots up to which the replay is
  /// inlined into the ring walk. The verifier checks an inlined slice once
  /// per slot; a call costs ~10 ns per entry (test/bench). Past this budget
  /// (conntrack's 200-statement slice at 16 cores) the global function
  /// keeps verification fast. Loss recovery always calls it.
  static constexpr size_t InlineReplayBudget = 2000;

  bool inlineReplay() const {
    return !L.LossRecovery &&
           S.Kept.size() * std::max(1u, L.HistoryLength) <= InlineReplayBudget;
  }

  std::string entryCode() {
    std::string Name = P.Entry->getNameAsString();
    std::string Param = P.Entry->getParamDecl(0)->getNameAsString();
    if (Param.empty())
      Param = "ctx";
    std::string O;
    O += inlineReplay()
             ? "/* Applies one history entry to this core's replica: no "
               "verdict and\n"
               " * no packet side effects. Inlined into the ring walk: the "
               "slice is\n"
               " * small enough for the verifier to check it once per "
               "history slot,\n"
               " * and a call per entry costs more than the slice itself. "
               "*/\n"
               "static __always_inline int scr_replay_entry(const struct "
               "scr_fields *scr_e,\n"
               "\t\t\t\t\t    const struct scr_frame *scr_fr)\n{\n"
               "\tif (!scr_e)\n\t\treturn 0;\n"
             : "/* Applies one history entry to this core's replica: no "
               "verdict and\n"
               " * no packet side effects. A global function, so the "
               "verifier checks\n"
               " * it once rather than once per history slot. */\n"
               "__noinline int scr_replay_entry(const struct scr_fields "
               "*scr_e)\n{\n"
               "\tstruct scr_frame fr;\n\n"
               "\t/* Once per entry: a global function cannot be handed the\n"
               "\t * caller's map pointers. */\n"
               "\tif (!scr_e || scr_frame_current(&fr))\n\t\treturn 0;\n";
    O += (S.Relevant.count(P.Entry)
              ? "\t" + Name + "__scr_replay(scr_e, " +
                    (inlineReplay() ? "scr_fr" : "&fr") + ");\n"
              : std::string("\t/* The program keeps no state: nothing to "
                            "replay. */\n")) +
         "\treturn 0;\n}\n\n";
    if (L.LossRecovery)
      return O + lossRecoveryEntry(L, {Name, P.Section});
    O +=
        "SEC(\"" + P.Section + "\")\nint " + Name +
        "(struct xdp_md *ctx)\n{\n"
        "\tvoid *data = (void *)(long)ctx->data;\n"
        "\tvoid *data_end = (void *)(long)ctx->data_end;\n"
        "\tstruct scr_replica *rep;\n"
        "\tstruct scr_hdr *hdr;\n"
        "\t__u32 hist_seq, oldest, applied, missed;\n"
        "\t__u8 relevant;\n"
        "\tint verdict;\n\n"
        "\trep = scr_enter(ctx);\n"
        "\tif (!rep)\n\t\treturn XDP_DROP; /* no replica owns this RX queue "
        "*/\n"
        "\t/* A frame without room for the SCR prefix and an Ethernet header\n"
        "\t * did not come from the sequencer: drop it, never read past it. "
        "*/\n"
        "\tif (data + SCR_PREFIX_BYTES + 14 > data_end) {\n"
        "\t\trep->short_frames++;\n\t\treturn XDP_DROP;\n\t}\n"
        "\t/* A frame the replica must not apply (a duplicate, out of the\n"
        "\t * window, not the sequencer's) is dropped and counted by reason:\n"
        "\t * docs/packet-format.md. */\n"
        "\tif (scr_check_frame(ctx, rep))\n\t\treturn XDP_DROP;\n"
        "\thdr = data + SCR_OUTER_BYTES;\n"
        "\thist_seq = bpf_ntohl(hdr->hist_seq);\n"
        "\toldest = bpf_ntohs(hdr->oldest);\n"
        "\trelevant = hdr->flags & SCR_FLAG_RELEVANT;\n"
        "\tscr_set_now(bpf_be64_to_cpu(hdr->ts));\n"
        "\tapplied = rep->applied;\n\n"
        "\t/* Entries hist_seq - SCR_HISTORY_LEN .. hist_seq - 1 are in the\n"
        "\t * history, entry hist_seq - d in slot (oldest + N - d) % N. Older\n"
        "\t * ones this replica has not applied are lost. */\n"
        "\tmissed = hist_seq - SCR_HISTORY_LEN - applied;\n"
        "\tif ((__s32)missed > 0)\n\t\trep->gaps += missed;\n"
        "#if SCR_HISTORY_LEN > 0\n"
        "\t/* Walk the ring from the oldest entry (d = N, slot oldest) on; "
        "the\n"
        "\t * slot advances by one and wraps, so no division per entry.\n"
        "\t * scr_check_frame() made sure that oldest < N: the modulo is "
        "never\n"
        "\t * taken, it shows the verifier the bound (which it loses from\n"
        "\t * `oldest < N ? oldest : 0`). */\n"
        "\t__u32 slot = oldest < SCR_HISTORY_LEN ? oldest : oldest % "
        "SCR_HISTORY_LEN;\n"
        "\t__u32 replayed = 0;\n" +
        std::string(inlineReplay()
                        ? "\tstruct scr_frame fr;\n\n"
                          "\t/* The replica's maps, once for every entry. */\n"
                          "\tif (scr_frame_enter(&fr, rep, "
                          "ctx->rx_queue_index))\n"
                          "\t\treturn XDP_ABORTED;\n\n"
                        : "\n") +
        "\tfor (__u32 d = SCR_HISTORY_LEN; d >= 1; d--) {\n"
        "\t\t__u32 m = hist_seq - d;\n"
        "\t\t__u64 off = (__u64)slot * SCR_ENTRY_BYTES;\n"
        "\t\tstruct scr_fields f = {};\n"
        "\t\tconst __u8 *raw;\n\n"
        "\t\tif (++slot == SCR_HISTORY_LEN)\n\t\t\tslot = 0;\n"
        "\t\t/* Skip entries applied already (and start-up slots, m < 0). */\n"
        "\t\tif ((__s32)(m - applied) < 0)\n\t\t\tcontinue;\n"
        "\t\t/* Keep the bound visible to the verifier (the compiler knows "
        "it). */\n"
        "\t\tasm volatile(\"\" : \"+r\"(off));\n"
        "\t\tif (off > (SCR_HISTORY_LEN - 1) * SCR_ENTRY_BYTES)\n\t\t\tbreak;\n"
        "\t\traw = data + SCR_OUTER_BYTES + SCR_HDR_BYTES + off;\n"
        "\t\tif ((void *)(raw + SCR_ENTRY_BYTES) > data_end)\n\t\t\tbreak;\n"
        "\t\tscr_decode(&f, raw);\n"
        "\t\tscr_replay_entry(&f" +
        (inlineReplay() ? ", &fr" : "") +
        "); /* scr:replay-history */\n"
        "\t\treplayed++;\n"
        "\t}\n"
        "\trep->replayed += replayed;\n"
        "#endif\n"
        "\trep->applied = hist_seq;\n\n";
    if (!DataReads)
      return O +
             "\t/* Strip the prefix: the original program sees the "
             "original packet. */\n"
             "\tif (bpf_xdp_adjust_head(ctx, SCR_PREFIX_BYTES))\n"
             "\t\treturn XDP_ABORTED;\n"
             "\tverdict = " +
             Name +
             "__scr_original(ctx);\n"
             "\tif (relevant)\n\t\trep->applied = hist_seq + 1;\n"
             "\treturn verdict;\n}\n";
    return O +
           "\t/* The original reads the packet past the prefix (its "
           "ctx->data reads\n"
           "\t * are rebased), and nothing else sees the packet before it "
           "returns. */\n"
           "\tverdict = " +
           Name +
           "__scr_original(ctx);\n"
           "\tif (relevant)\n\t\trep->applied = hist_seq + 1;\n"
           "\t/* Strip the prefix from a packet that goes on; a dropped one "
           "is never\n"
           "\t * seen again. The check above left room for the Ethernet "
           "header, so the\n"
           "\t * head move cannot fail. */\n"
           "\tif (verdict != XDP_DROP && verdict != XDP_ABORTED &&\n"
           "\t    bpf_xdp_adjust_head(ctx, SCR_PREFIX_BYTES))\n"
           "\t\treturn XDP_ABORTED;\n"
           "\treturn verdict;\n}\n";
  }

  //===------------------------------------------------------------------===//
  // Replicated maps
  //===------------------------------------------------------------------===//

  /// Helper calls on written maps and the wrapper each becomes
  /// (checkReplication made sure that every such call has one).
  std::vector<std::pair<const CallExpr *, std::string>> replicaCalls() const {
    std::vector<std::pair<const CallExpr *, std::string>> Out;
    for (const auto &[C, Maps] : R.MapCalls) {
      bool Written = !Maps.empty();
      for (const MapInfo *M : Maps)
        Written &= M->Written;
      std::string W = Written ? replicaHelperFor(helperName(C)) : "";
      if (!W.empty())
        Out.push_back({C, W});
    }
    return Out;
  }

  std::set<std::string> usedWrappers() const {
    std::set<std::string> Used;
    for (const auto &[C, W] : replicaCalls())
      Used.insert(W);
    if (!R.WrittenGlobals.empty()) // their accessors look the copy up
      Used.insert("scr_map_lookup_elem");
    return Used;
  }

  //===------------------------------------------------------------------===//
  // Replicated globals
  //===------------------------------------------------------------------===//

  static std::string globalAccessor(const VarDecl *V) {
    return "scr_global_" + V->getNameAsString();
  }

  /// What replaces written global \p V's declaration: a one-entry array of
  /// its type under its name (the reference variant), or the array of such
  /// arrays, one per replica (the SCR program), and the accessor every use
  /// goes through.
  std::string globalDecl(const VarDecl *V, bool Replicated) {
    std::string Name = V->getNameAsString();
    std::string T =
        "typeof(" + V->getType().getAsString(PrintingPolicy(LO)) + ")";
    std::string Body = "{\n\t__uint(type, BPF_MAP_TYPE_ARRAY);\n"
                       "\t__uint(max_entries, 1);\n\t__type(key, __u32);\n"
                       "\t__type(value, " +
                       T + ");\n}";
    std::string O;
    if (Replicated)
      O = replicatedMapDecl(Name, "global " + T, Body, false, L.Cores) +
          ";\n\n";
    else
      O = "/* SCR reference: the global `" + Name +
          "` is a one-entry array of the same\n"
          " * name, as in the SCR program, so that the replay can compare "
          "it. */\n"
          "struct " +
          Body + " " + Name + " SEC(\".maps\");\n\n";
    std::string Get = globalAccessor(V);
    O += "/* Never used: the lookup below cannot fail. */\n"
         "static " +
         T + " " + Get + "__none;\n\n";
    if (Replicated) // the replay clones pass the replica's copy
      O += "static __always_inline " + T + " *" + Get +
           "_of(void *copy)\n{\n\t__u32 zero = 0;\n\t" + T +
           " *v = bpf_map_lookup_elem(copy, &zero);\n\n\treturn v ? v : &" +
           Get + "__none;\n}\n\n";
    O += "static __always_inline " + T + " *" + Get +
         "(void)\n{\n\t__u32 zero = 0;\n\t" + T + " *v = " +
         (Replicated ? "scr_map_lookup_elem" : "bpf_map_lookup_elem") + "(&" +
         Name + ", &zero);\n\n\treturn v ? v : &" + Get + "__none;\n}";
    return O;
  }

  /// Turns every written global into a map and points every use \p Keep
  /// selects at it: `g` becomes `(*scr_global_g())`.
  /// \p ThroughFrame: `(*scr_global_g_of(scr_fr->g))`, the replay clones'.
  void rewriteGlobals(Rewriter &Rw, bool Replicated,
                      const std::function<bool(const DeclRefExpr *)> &Keep,
                      bool Declarations = true, bool ThroughFrame = false) {
    if (Declarations)
      for (const auto &[V, Where] : R.WrittenGlobals) {
        unsigned From = offsetOf(V->getBeginLoc());
        unsigned To = declarationEnd(V, SM, LO, /*AllowInit=*/true);
        if (!To) {
          P.Diags.error(V->getLocation(),
                        "internal error: checkReplication let it through");
          continue;
        }
        Rw.ReplaceText(
            SM.getLocForStartOfFile(SM.getMainFileID()).getLocWithOffset(From),
            To - From, globalDecl(V, Replicated));
      }
    for (const DeclRefExpr *E : writtenGlobalRefs(P, R))
      if (Keep(E)) {
        std::string G = E->getDecl()->getNameAsString();
        std::string Get = globalAccessor(cast<VarDecl>(E->getDecl()));
        Rw.ReplaceText(SM.getExpansionLoc(E->getLocation()), G.size(),
                       ThroughFrame ? "(*" + Get + "_of(scr_fr->" + G + "))"
                                    : "(*" + Get + "())");
      }
  }

  /// Renames the helper of every call on a replicated map to its wrapper,
  /// which runs it on the running replica's copy. \p Keep selects the calls
  /// (the replay clones rename only those in the slice).
  void rerouteMapCalls(Rewriter &Rw,
                       const std::function<bool(const CallExpr *)> &Keep) {
    for (const auto &[C, W] : replicaCalls()) {
      if (!Keep(C))
        continue;
      SourceLocation Loc = C->getCallee()->getBeginLoc();
      if (Loc.isMacroID() || !SM.isInMainFile(Loc)) {
        P.Diags.error(C->getBeginLoc(), "internal error: checkReplication "
                                        "let a macro-named helper through");
        continue;
      }
      Rw.ReplaceText(Loc, Lexer::MeasureTokenLength(Loc, SM, LO), W);
    }
  }

  /// Written maps and globals by name: the replica's copies in struct
  /// scr_frame (ReplicaState.h).
  std::vector<std::string> frameMaps() const {
    std::set<std::string> Names;
    for (const auto &[D, M] : P.Maps)
      if (M.Written)
        Names.insert(M.Name);
    for (const auto &[V, Where] : R.WrittenGlobals)
      Names.insert(V->getNameAsString());
    return {Names.begin(), Names.end()};
  }

  /// In the replay clones: a helper call whose map argument is `&NAME` of
  /// a replicated map runs on the frame's copy (`scr_fr->NAME`), without
  /// the per-access look-up of the running replica; any other form of the
  /// argument keeps the wrapper (rerouteMapCalls).
  void bindMapCallsToFrame(Rewriter &Rw,
                           const std::function<bool(const CallExpr *)> &Keep) {
    std::set<const CallExpr *> Wrapped;
    for (const auto &[C, W] : replicaCalls()) {
      if (!Keep(C))
        continue;
      const auto *Addr =
          C->getNumArgs()
              ? dyn_cast<UnaryOperator>(C->getArg(0)->IgnoreParenImpCasts())
              : nullptr;
      const auto *Ref =
          Addr && Addr->getOpcode() == UO_AddrOf
              ? dyn_cast<DeclRefExpr>(Addr->getSubExpr()->IgnoreParens())
              : nullptr;
      auto It =
          Ref ? P.Maps.find(dyn_cast<VarDecl>(Ref->getDecl())) : P.Maps.end();
      SourceRange AR = C->getArg(0)->getSourceRange();
      if (It == P.Maps.end() || !It->second.Written ||
          AR.getBegin().isMacroID() || AR.getEnd().isMacroID()) {
        Wrapped.insert(C);
        continue;
      }
      Rw.ReplaceText(CharSourceRange::getTokenRange(AR),
                     "scr_fr->" + It->second.Name);
    }
    rerouteMapCalls(Rw, [&](const CallExpr *C) { return Wrapped.count(C); });
  }

  /// Turns each update findInPlaceUpdates() proved equal to a write
  /// through its lookup's pointer into `(p ? (*p = v, 0) : update)`, with
  /// why in a comment. \p Keep selects the calls (both must be kept).
  void writeInPlace(Rewriter &Rw,
                    const std::function<bool(const CallExpr *)> &Keep) {
    for (const InPlaceUpdate &IP : InPlace) {
      if (!Keep(IP.Lookup) || !Keep(IP.Update))
        continue;
      SourceLocation B = SM.getExpansionLoc(IP.Update->getBeginLoc());
      SourceLocation E = SM.getExpansionLoc(IP.Update->getEndLoc());
      if (!SM.isInMainFile(B) || !SM.isInMainFile(E))
        continue;
      std::string Ptr = IP.Pointer->getNameAsString();
      std::string Val = IP.Value->getNameAsString();
      // A statement of its own: say that its value goes unused.
      auto Parents = Ctx.getParents(*IP.Update);
      bool Unused = Parents.size() == 1 && !Parents[0].get<Expr>();
      // The comment on lines of its own where the call starts a line.
      StringRef Buf = SM.getBufferData(SM.getFileID(B));
      unsigned Off = SM.getFileOffset(B);
      unsigned LineStart = Buf.rfind('\n', Off) + 1; // npos + 1 == 0
      StringRef Indent = Buf.slice(LineStart, Off);
      bool OwnLine = Indent.find_first_not_of(" \t") == StringRef::npos;
      std::string Next = OwnLine ? "\n" + Indent.str() + " * " : " ";
      Rw.InsertTextBefore(
          B, "/* SCR: `" + Ptr + "` is this key's entry in `" + IP.Map->Name +
                 "` (looked up at" + Next +
                 P.Diags.shortWhere(IP.Lookup->getBeginLoc()) +
                 "; map and key unchanged since, the pointer unused" + Next +
                 "after): where it exists, writing `" + Val +
                 "` into it is the update," + Next + "without the helper. */" +
                 (OwnLine ? "\n" + Indent.str() : std::string(" ")) +
                 (Unused ? "(void)" : "") + "(" + Ptr + " ? (*" + Ptr + " = " +
                 Val + ", 0) : ");
      Rw.InsertTextAfterToken(E, ")");
    }
  }

  /// `ctx->data` in the original becomes the start of the original packet,
  /// past the SCR prefix (SCR_PREFIX_BYTES, defined further down). A 64-bit
  /// sum: 32-bit arithmetic on a packet pointer does not verify.
  void rebaseDataReads(Rewriter &Rw) {
    if (!DataReads)
      return;
    unsigned Prefix = (L.Mode == scr::SequencerMode::Tor ? 14 : 0) + 20 +
                      L.HistoryLength * L.entryBytes();
    for (const MemberExpr *ME : *DataReads) {
      Rw.InsertTextBefore(SM.getExpansionLoc(ME->getBeginLoc()), "((__u64)");
      Rw.InsertTextAfterToken(SM.getExpansionLoc(ME->getEndLoc()),
                              " + " + std::to_string(Prefix) +
                                  " /* SCR_PREFIX_BYTES */)");
    }
  }

  /// File offset of \p Loc's expansion in the main file.
  unsigned offsetOf(SourceLocation Loc) const {
    return SM.getFileOffset(SM.getExpansionLoc(Loc));
  }

  /// Every written map becomes an array of maps of the same name holding
  /// one private copy per replica (ReplicaState.h).
  void rewriteMaps(Rewriter &Rw) {
    FileID Main = SM.getMainFileID();
    StringRef Buf = SM.getBufferData(Main);
    for (auto &[D, M] : P.Maps) {
      if (!M.Written)
        continue;
      auto Refuse = [&](const std::string &Why) {
        P.Diags.error(D->getLocation(),
                      "cannot replicate map `" + M.Name + "`: " + Why);
      };
      const RecordDecl *RD = D->getType()->getAsRecordDecl();
      SourceRange Brace = RD ? RD->getBraceRange() : SourceRange();
      SourceLocation Begin = SM.getExpansionLoc(D->getBeginLoc());
      if (Brace.isInvalid() || Brace.getBegin().isMacroID() ||
          Brace.getEnd().isMacroID() || !SM.isInMainFile(Brace.getBegin()) ||
          !SM.isInMainFile(Begin) || M.TypeLoc.isInvalid() ||
          !SM.isInMainFile(M.TypeLoc)) {
        Refuse("internal error: checkReplication let it through");
        continue;
      }
      unsigned From = SM.getFileOffset(Begin), To = declarationEnd(D, SM, LO);
      unsigned BodyFrom = SM.getFileOffset(Brace.getBegin());
      unsigned BodyTo = SM.getFileOffset(Brace.getEnd()) + 1;
      unsigned TypeAt = SM.getFileOffset(M.TypeLoc);
      if (!To || TypeAt < BodyFrom || TypeAt >= BodyTo) {
        Refuse("declare it on its own, as `struct { ... } " + M.Name +
               " SEC(\".maps\");`");
        continue;
      }
      // The replica's definition: the original's, with the replica's map
      // type and without pinning (only the array of maps is pinned).
      std::vector<std::tuple<unsigned, unsigned, std::string>> Edits;
      unsigned Type = replicaMapType(M.Type);
      if (Type != M.Type)
        Edits.push_back({TypeAt, Lexer::MeasureTokenLength(M.TypeLoc, SM, LO),
                         mapTypeName(Type) + " /* SCR: one replica's; was " +
                             M.TypeName + " */"});
      bool Pinned = false;
      for (const FieldDecl *FD : RD->fields()) {
        if (FD->getName() != "pinning")
          continue;
        Pinned = true;
        unsigned FFrom = offsetOf(FD->getBeginLoc());
        unsigned FTo = Buf.find(';', offsetOf(FD->getEndLoc()));
        if (FTo == StringRef::npos || FTo >= BodyTo) {
          Refuse("cannot find the end of its `pinning` field");
          continue;
        }
        // The whole line goes: its indentation and the newline before it.
        while (FFrom > BodyFrom &&
               (Buf[FFrom - 1] == ' ' || Buf[FFrom - 1] == '\t'))
          --FFrom;
        if (FFrom > BodyFrom && Buf[FFrom - 1] == '\n')
          --FFrom;
        Edits.push_back({FFrom, FTo + 1 - FFrom, ""});
      }
      std::sort(Edits.begin(), Edits.end(), [](const auto &A, const auto &B) {
        return std::get<0>(A) > std::get<0>(B);
      });
      std::string Body = Buf.substr(BodyFrom, BodyTo - BodyFrom).str();
      for (const auto &[At, Len, Text] : Edits)
        Body.replace(At - BodyFrom, Len, Text);
      std::string Text;
      // A named struct defined in the declaration may be used elsewhere.
      if (RD->getIdentifier() && BodyFrom > From)
        Text += "struct " + RD->getName().str() + " " +
                Buf.substr(BodyFrom, BodyTo - BodyFrom).str() + ";\n\n";
      Text +=
          replicatedMapDecl(M.Name, M.TypeName, Body, Pinned, L.Cores) + ";";
      Rw.ReplaceText(SM.getLocForStartOfFile(Main).getLocWithOffset(From),
                     To - From, Text);
    }
  }

  void rewriteEnvCalls(Rewriter &Rw, const std::string &Now,
                       const std::string &Rand) {
    for (const CallExpr *C : R.TimeCalls)
      replace(Rw, C->getSourceRange(), Now + "()", C);
    for (const CallExpr *C : R.PrngCalls)
      replace(Rw, C->getSourceRange(), Rand + "()", C);
  }

  /// The banner of a generated program, behind the input's SPDX line
  /// (which it takes out of \p Body).
  std::string headerComment(const std::string &What, std::string &Body) {
    return scr::takeLeadingSpdxLine(Body) + "/* " + What +
           "\n * Generated by scrcc from " + L.Source + " (entry `" +
           P.Entry->getNameAsString() + "`, " + std::to_string(L.Cores) +
           " cores). Do not edit: regenerate instead. */\n";
  }

  std::string scrProgram(const std::string &Clones) {
    Rewriter Rw(const_cast<SourceManager &>(SM), LO);
    markHelperPointersUnused(Rw);
    rewriteMaps(Rw);
    rerouteMapCalls(Rw, [](const CallExpr *) { return true; });
    writeInPlace(Rw, [](const CallExpr *) { return true; });
    rebaseDataReads(Rw);
    rewriteGlobals(Rw, /*Replicated=*/true,
                   [](const DeclRefExpr *) { return true; });
    rewriteEnvCalls(Rw, "scr_now", "scr_prandom");
    for (const auto &[C, Macro] : nonAtomicUpdates())
      replaceCallee(Rw, C, Macro);
    // The original entry becomes an inline function the new entry calls.
    const FunctionDecl *E = P.Entry;
    if (const auto *SA = E->getAttr<SectionAttr>()) {
      CharSourceRange AR = SM.getExpansionRange(SA->getRange().getBegin());
      Rw.ReplaceText(AR, "static __always_inline");
    }
    Rw.ReplaceText(SM.getExpansionLoc(E->getLocation()), E->getName().size(),
                   E->getNameAsString() + "__scr_original");
    SourceLocation PL = prologueLoc();
    if (PL.isValid())
      Rw.InsertTextBefore(PL, scrPrologue());
    FileID Main = SM.getMainFileID();
    std::string Body;
    if (const RewriteBuffer *RB = Rw.getRewriteBufferFor(Main))
      Body = std::string(RB->begin(), RB->end());
    else
      Body = SM.getBufferData(Main).str();
    std::string Banner = headerComment("SCR-aware XDP program.", Body);
    return Banner + Body + historyCode() +
           replicaFrameC(frameMaps(), !inlineReplay()) +
           silenceOutputs(Clones) + entryCode();
  }

  std::string refProgram() {
    Rewriter Rw(const_cast<SourceManager &>(SM), LO);
    markHelperPointersUnused(Rw);
    rewriteEnvCalls(Rw, "scr_ref_now", "scr_ref_prandom");
    rewriteGlobals(Rw, /*Replicated=*/false,
                   [](const DeclRefExpr *) { return true; });
    SourceLocation PL = prologueLoc();
    std::string Pro =
        "/* ---- SCR reference environment (generated by scrcc) -------------- "
        "*/\n"
        "/* The differential replay sets now_ns to each packet's sequencer\n"
        " * timestamp; prng is the same generator the SCR program replicates. "
        "*/\n" +
        libbpfFallbacks() +
        "struct scr_ref_env {\n\t__u64 now_ns;\n\t__u64 prng;\n};\n\n"
        "#pragma clang diagnostic push\n"
        "#pragma clang diagnostic ignored \"-Wunused-function\"\n"
        "struct {\n\t__uint(type, BPF_MAP_TYPE_ARRAY);\n\t__uint(max_entries, "
        "1);\n"
        "\t__type(key, __u32);\n\t__type(value, struct scr_ref_env);\n"
        "} scr_ref_env SEC(\".maps\");\n\n"
        "#define SCR_PRNG_SEED " +
        hex(L.PrngSeed) +
        "ULL\n\n"
        "static __always_inline struct scr_ref_env *scr_ref_get(void)\n{\n"
        "\t__u32 zero = 0;\n\n\treturn bpf_map_lookup_elem(&scr_ref_env, "
        "&zero);\n}\n\n"
        "static __always_inline __u64 scr_ref_now(void)\n{\n"
        "\tstruct scr_ref_env *env = scr_ref_get();\n\n"
        "\treturn env ? env->now_ns : 0;\n}\n\n" +
        prngBody("scr_ref_prandom", "void",
                 "struct scr_ref_env *st = scr_ref_get();", "st->prng") +
        "#pragma clang diagnostic pop\n"
        "/* ---- end of SCR reference environment "
        "----------------------------- */\n\n";
    if (PL.isValid())
      Rw.InsertTextBefore(PL, Pro);
    FileID Main = SM.getMainFileID();
    std::string Body;
    if (const RewriteBuffer *RB = Rw.getRewriteBufferFor(Main))
      Body = std::string(RB->begin(), RB->end());
    else
      Body = SM.getBufferData(Main).str();
    std::string Banner =
        headerComment("Reference variant: the original program with the "
                      "clock and PRNG\n * taken from the scr_ref_env map, "
                      "for the differential replay.",
                      Body);
    return Banner + Body;
  }
};

} // namespace

bool emitXdpPrograms(Program &P, const EvalResult &R, const Slice &S,
                     const scr::Layout &L, XdpOutputs &Out) {
  return Emitter(P, R, S, L).run(Out);
}

} // namespace scrcc
