//===- Program.h - What the analyses know about the input program -*- C++ -*-//
//
// The program model: the parsed translation unit, its XDP entry, its maps,
// and the diagnostics engine every analysis reports through.
//
//===----------------------------------------------------------------------===//
#ifndef SCRCC_ANALYSIS_PROGRAM_H
#define SCRCC_ANALYSIS_PROGRAM_H

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/Basic/Diagnostic.h"
#include "clang/Basic/SourceManager.h"

#include <linux/bpf.h>

#include <map>
#include <string>
#include <vector>

namespace scrcc {

/// Diagnostics through Clang's DiagnosticsEngine, the one the input was
/// parsed with: `file:line:col: error: ...`, the source line with a caret,
/// notes (a dependence chain, a macro's expansion), and `scrcc: error: ...`
/// for a problem with no place in the source. Every rejection goes through
/// here.
class Diagnostics {
public:
  /// What the command line says about warnings (-Werror, -w).
  struct WarningPolicy {
    bool AsErrors = false;
    bool Ignore = false;
  };
  /// Reports through \p Engine, whose consumer becomes scrcc's printer.
  Diagnostics(clang::DiagnosticsEngine &Engine, clang::SourceManager &SM,
              const clang::LangOptions &LangOpts, WarningPolicy Policy);
  ~Diagnostics();
  void error(clang::SourceLocation Loc, const std::string &Msg);
  /// Attached to the error or warning before it.
  void note(clang::SourceLocation Loc, const std::string &Msg);
  void warning(clang::SourceLocation Loc, const std::string &Msg);
  unsigned errorCount() const { return Errors; }
  /// "file:line:col" of \p Loc (expansion location), or "<unknown>".
  std::string where(clang::SourceLocation Loc) const;
  /// Same, with the file name reduced to its last component.
  std::string shortWhere(clang::SourceLocation Loc) const;

private:
  void report(clang::DiagnosticsEngine::Level Level, clang::SourceLocation Loc,
              const std::string &Msg);
  clang::DiagnosticsEngine &Engine;
  const clang::SourceManager &SM;
  WarningPolicy Policy;
  unsigned Errors = 0;
  /// Whether the last error or warning was ignored (-w): so are its notes.
  bool Ignoring = false;
};

/// A BTF-defined map (a global in SEC(".maps")).
struct MapInfo {
  const clang::VarDecl *Decl = nullptr;
  std::string Name;
  unsigned Type = 0;             // enum bpf_map_type (BPF_MAP_TYPE_*)
  std::string TypeName;          // e.g. "BPF_MAP_TYPE_HASH"
  clang::SourceLocation TypeLoc; // spelling of the type value, for rewriting
  bool Written = false;
  std::string WriteWhere; // first write, for explanations
};

struct Program {
  clang::ASTContext &Ctx;
  Diagnostics &Diags;
  const clang::FunctionDecl *Entry = nullptr;
  /// The entry's ELF section as the author named it (`xdp`, `xdp_prog`,
  /// `prog`, ...): the SCR program keeps it, so the user's loader finds it.
  std::string Section = "xdp";
  std::map<const clang::VarDecl *, MapInfo> Maps;

  Program(clang::ASTContext &Ctx, Diagnostics &D) : Ctx(Ctx), Diags(D) {}

  /// Finds the XDP entry (\p Requested, or the only XDP function in a code
  /// section) and the maps. Reports and returns false on failure.
  bool discover(const std::string &Requested);
  MapInfo *mapFor(const clang::ValueDecl *D);
  const clang::SourceManager &sourceManager() const {
    return Ctx.getSourceManager();
  }
};

/// Name of the map type \p T (e.g. "BPF_MAP_TYPE_HASH"), or "" if unknown.
std::string mapTypeName(unsigned T);
/// The type of one replica's private copy of a written map of type \p T
/// (per-CPU types become their single-threaded variant); 0 if a map of
/// type \p T cannot be replicated.
unsigned replicaMapType(unsigned T);
/// The type every written map becomes in the SCR program: an array of the
/// replicas' private copies.
constexpr unsigned MapTypeArrayOfMaps = BPF_MAP_TYPE_ARRAY_OF_MAPS;
/// True for the LRU map types, whose lookups change state (recency).
inline bool isLruMapType(unsigned T) {
  return T == BPF_MAP_TYPE_LRU_HASH || T == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

} // namespace scrcc

#endif
