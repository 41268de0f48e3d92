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
#include "clang/Basic/SourceManager.h"

#include <linux/bpf.h>

#include <map>
#include <string>
#include <vector>

namespace scrcc {

/// Clang-style diagnostics (`file:line:col: error: ...` plus the source
/// line and a caret). Every rejection goes through here.
class Diagnostics {
public:
  explicit Diagnostics(const clang::SourceManager &SM) : SM(SM) {}
  void error(clang::SourceLocation Loc, const std::string &Msg);
  void note(clang::SourceLocation Loc, const std::string &Msg);
  void warning(clang::SourceLocation Loc, const std::string &Msg);
  unsigned errorCount() const { return Errors; }
  /// "file:line:col" of \p Loc (expansion location), or "<unknown>".
  std::string where(clang::SourceLocation Loc) const;
  /// Same, with the file name reduced to its last component.
  std::string shortWhere(clang::SourceLocation Loc) const;

private:
  void emit(clang::SourceLocation Loc, const char *Level,
            const std::string &Msg);
  const clang::SourceManager &SM;
  unsigned Errors = 0;
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
