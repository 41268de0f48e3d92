//===- Program.cpp - Entry and map discovery, diagnostics -----------------===//

#include "Program.h"

#include "clang/AST/Attr.h"
#include "clang/AST/Expr.h"
#include "clang/AST/TypeLoc.h"
#include "clang/Frontend/TextDiagnosticPrinter.h"
#include "clang/Lex/Lexer.h"
#include "llvm/Support/raw_ostream.h"

using namespace clang;

namespace scrcc {

std::string Diagnostics::where(SourceLocation Loc) const {
  if (Loc.isInvalid())
    return "<unknown>";
  PresumedLoc P = SM.getPresumedLoc(SM.getExpansionLoc(Loc));
  if (P.isInvalid())
    return "<unknown>";
  return std::string(P.getFilename()) + ":" + std::to_string(P.getLine()) +
         ":" + std::to_string(P.getColumn());
}

std::string Diagnostics::shortWhere(SourceLocation Loc) const {
  std::string W = where(Loc);
  auto Slash = W.rfind('/', W.find(':'));
  return Slash == std::string::npos ? W : W.substr(Slash + 1);
}

namespace {
/// Clang's text printer, which says who speaks when a diagnostic has no
/// location: `scrcc: error: ...` rather than a bare `error: ...`.
class ScrccDiagnosticPrinter : public TextDiagnosticPrinter {
public:
  using TextDiagnosticPrinter::TextDiagnosticPrinter;
  void HandleDiagnostic(DiagnosticsEngine::Level Level,
                        const Diagnostic &Info) override {
    setPrefix(Info.getLocation().isValid() ? "" : "scrcc");
    TextDiagnosticPrinter::HandleDiagnostic(Level, Info);
  }
};
} // namespace

Diagnostics::Diagnostics(DiagnosticsEngine &Engine, SourceManager &SM,
                         const LangOptions &LangOpts, WarningPolicy Policy)
    : Engine(Engine), SM(SM), Policy(Policy) {
  llvm::IntrusiveRefCntPtr<DiagnosticOptions> Opts = new DiagnosticOptions();
  Opts->ShowColors = llvm::errs().has_colors();
  auto *Printer = new ScrccDiagnosticPrinter(llvm::errs(), Opts.get());
  Engine.setClient(Printer, /*ShouldOwnClient=*/true);
  Engine.setSourceManager(&SM);
  Printer->BeginSourceFile(LangOpts, nullptr);
}

Diagnostics::~Diagnostics() { Engine.getClient()->EndSourceFile(); }

void Diagnostics::report(DiagnosticsEngine::Level Level, SourceLocation Loc,
                         const std::string &Msg) {
  // A custom diagnostic's level is fixed when it is made (Clang 19 maps
  // only its own warnings), so -Werror and -w are applied here.
  if (Level == DiagnosticsEngine::Warning) {
    Ignoring = Policy.Ignore;
    if (Ignoring)
      return;
    if (Policy.AsErrors)
      Level = DiagnosticsEngine::Error;
  } else if (Level == DiagnosticsEngine::Note) {
    if (Ignoring)
      return;
  } else {
    Ignoring = false;
  }
  if (Level == DiagnosticsEngine::Error)
    ++Errors;
  Engine.Report(Loc, Engine.getCustomDiagID(Level, "%0")) << Msg;
}

void Diagnostics::error(SourceLocation Loc, const std::string &Msg) {
  report(DiagnosticsEngine::Error, Loc, Msg);
}
void Diagnostics::note(SourceLocation Loc, const std::string &Msg) {
  report(DiagnosticsEngine::Note, Loc, Msg);
}
void Diagnostics::warning(SourceLocation Loc, const std::string &Msg) {
  report(DiagnosticsEngine::Warning, Loc, Msg);
}

namespace {
// The kernel's enum bpf_map_type values we need to name and replicate.
struct MapTypeInfo {
  unsigned Value;
  const char *Name;
  /// Type of one replica's private copy (0: cannot be replicated). A
  /// per-CPU map of the original is one single-threaded value per replica:
  /// a replica runs on one CPU at a time, but not always the same one.
  unsigned Replica;
};
#define SCRCC_MAP_TYPE(T, Replica)                                             \
  MapTypeInfo { BPF_MAP_TYPE_##T, "BPF_MAP_TYPE_" #T, Replica }
const MapTypeInfo MapTypes[] = {
    SCRCC_MAP_TYPE(HASH, BPF_MAP_TYPE_HASH),
    SCRCC_MAP_TYPE(ARRAY, BPF_MAP_TYPE_ARRAY),
    SCRCC_MAP_TYPE(PROG_ARRAY, 0),
    SCRCC_MAP_TYPE(PERF_EVENT_ARRAY, 0),
    SCRCC_MAP_TYPE(PERCPU_HASH, BPF_MAP_TYPE_HASH),
    SCRCC_MAP_TYPE(PERCPU_ARRAY, BPF_MAP_TYPE_ARRAY),
    SCRCC_MAP_TYPE(LRU_HASH, BPF_MAP_TYPE_LRU_HASH),
    SCRCC_MAP_TYPE(LRU_PERCPU_HASH, BPF_MAP_TYPE_LRU_HASH),
    SCRCC_MAP_TYPE(LPM_TRIE, BPF_MAP_TYPE_LPM_TRIE),
    SCRCC_MAP_TYPE(ARRAY_OF_MAPS, 0),
    SCRCC_MAP_TYPE(HASH_OF_MAPS, 0),
    SCRCC_MAP_TYPE(DEVMAP, 0),
    SCRCC_MAP_TYPE(CPUMAP, 0),
    SCRCC_MAP_TYPE(XSKMAP, 0),
    SCRCC_MAP_TYPE(QUEUE, 0),
    SCRCC_MAP_TYPE(STACK, 0),
    SCRCC_MAP_TYPE(DEVMAP_HASH, 0),
    SCRCC_MAP_TYPE(RINGBUF, 0),
};
#undef SCRCC_MAP_TYPE
} // namespace

std::string mapTypeName(unsigned T) {
  for (const auto &M : MapTypes)
    if (M.Value == T)
      return M.Name;
  return "map type " + std::to_string(T);
}

unsigned replicaMapType(unsigned T) {
  for (const auto &M : MapTypes)
    if (M.Value == T)
      return M.Replica;
  return 0;
}

/// An XDP program: a function in a code section named for XDP (libbpf's
/// `xdp`, `xdp/...`, `xdp.frags`, and older `xdp_foo` names) or, under any
/// other name (iproute2's `prog`), taking `struct xdp_md *`: the context
/// type is what tells XDP from, say, a TC program in `SEC("prog")`.
static bool isXdpProgram(const FunctionDecl *F) {
  const auto *S = F->getAttr<SectionAttr>();
  if (!S || S->getName().starts_with(".") || S->getName() == "license" ||
      S->getName() == "maps" || S->getName() == "version")
    return false;
  if (S->getName().starts_with("xdp"))
    return true;
  if (F->getNumParams() < 1)
    return false;
  const auto *PT = F->getParamDecl(0)->getType()->getAs<PointerType>();
  const auto *RD = PT ? PT->getPointeeType()->getAsRecordDecl() : nullptr;
  return RD && RD->getName() == "xdp_md";
}

static std::string sectionOf(const FunctionDecl *F) {
  const auto *S = F->getAttr<SectionAttr>();
  return S ? S->getName().str() : "xdp";
}

MapInfo *Program::mapFor(const ValueDecl *D) {
  auto It = Maps.find(dyn_cast_or_null<VarDecl>(D));
  return It == Maps.end() ? nullptr : &It->second;
}

bool Program::discover(const std::string &Requested) {
  std::vector<const FunctionDecl *> Xdp;
  const FunctionDecl *Named = nullptr;
  for (const Decl *D : Ctx.getTranslationUnitDecl()->decls()) {
    if (const auto *F = dyn_cast<FunctionDecl>(D)) {
      if (!F->doesThisDeclarationHaveABody())
        continue;
      if (isXdpProgram(F))
        Xdp.push_back(F);
      if (!Requested.empty() && F->getName() == Requested)
        Named = F;
      continue;
    }
    const auto *V = dyn_cast<VarDecl>(D);
    if (!V || !V->hasAttr<SectionAttr>() ||
        V->getAttr<SectionAttr>()->getName() != ".maps")
      continue;
    MapInfo M;
    M.Decl = V;
    M.Name = V->getName().str();
    const auto *RD = V->getType()->getAsRecordDecl();
    if (!RD) {
      Diags.error(V->getLocation(), "map '" + M.Name +
                                        "' is not a BTF-defined map (expected "
                                        "a struct in SEC(\".maps\"))");
      continue;
    }
    for (const FieldDecl *FD : RD->fields()) {
      if (FD->getName() != "type")
        continue;
      const auto *PT = FD->getType()->getAs<PointerType>();
      const auto *AT =
          PT ? Ctx.getAsConstantArrayType(PT->getPointeeType()) : nullptr;
      if (!AT)
        continue;
      M.Type = AT->getSize().getZExtValue();
      M.TypeName = mapTypeName(M.Type);
      if (const TypeSourceInfo *TSI = FD->getTypeSourceInfo())
        for (TypeLoc TL = TSI->getTypeLoc(); !TL.isNull();
             TL = TL.getNextTypeLoc())
          if (auto ATL = TL.getAs<ArrayTypeLoc>()) {
            if (const Expr *Size = ATL.getSizeExpr())
              M.TypeLoc =
                  Ctx.getSourceManager().getSpellingLoc(Size->getBeginLoc());
            break;
          }
    }
    if (!M.Type) {
      Diags.error(V->getLocation(),
                  "map '" + M.Name + "' has no __uint(type, ...) field");
      continue;
    }
    Maps[V] = M;
  }

  if (!Requested.empty()) {
    if (!Named) {
      Diags.error(SourceLocation(), "entry function '" + Requested +
                                        "' is not defined in the input");
      return false;
    }
    Entry = Named;
    Section = sectionOf(Entry);
    return Diags.errorCount() == 0;
  }
  if (Xdp.empty()) {
    Diags.error(SourceLocation(),
                "no XDP program found: expected a function in a SEC(\"xdp\") "
                "section taking a struct xdp_md *");
    return false;
  }
  if (Xdp.size() > 1) {
    std::string Names;
    for (const auto *F : Xdp)
      Names += (Names.empty() ? "" : ", ") + F->getNameAsString();
    Diags.error(Xdp[1]->getLocation(), "several XDP programs (" + Names +
                                           "); choose one with --entry");
    return false;
  }
  Entry = Xdp.front();
  Section = sectionOf(Entry);
  return Diags.errorCount() == 0;
}

} // namespace scrcc
