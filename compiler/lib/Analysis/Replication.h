//===- Replication.h - Can every written map be replicated? -----*- C++ -*-===//
//
// Under SCR every replica owns a private copy of each map the program
// writes (docs/transformation.md §1): the SCR program reaches the running
// replica's copy by rerouting each helper call on a written map through a
// wrapper (bpf_map_lookup_elem -> scr_map_lookup_elem, ...). This decides,
// before any emitter runs, whether that is sound for every such call.
//
//===----------------------------------------------------------------------===//
#ifndef SCRCC_ANALYSIS_REPLICATION_H
#define SCRCC_ANALYSIS_REPLICATION_H

#include "PacketEvaluator.h"

#include <string>

namespace scrcc {

/// The wrapper that runs helper \p Helper on the running replica's copy of
/// a replicated map ("scr_map_lookup_elem" for "bpf_map_lookup_elem"), or
/// "" if scrcc cannot reroute that helper.
std::string replicaHelperFor(const std::string &Helper);

/// Reports, at the construct, every written map whose type has no private
/// per-replica copy, every helper call on a written map that cannot be
/// rerouted, every call that may be given both a replicated and a shared
/// map, and every written global scrcc cannot turn into per-replica state
/// (an initial value, declared elsewhere or with others, named in a
/// macro). Returns false if it reported anything.
bool checkReplication(Program &P, const EvalResult &R);

/// The file offset just past the ';' ending \p D's declaration, or 0 if the
/// declaration has another declarator or (unless \p AllowInit) \p D an
/// initialiser.
unsigned declarationEnd(const clang::VarDecl *D, const clang::SourceManager &SM,
                        const clang::LangOptions &LO, bool AllowInit = false);

/// Every reference to a written global, in the order of the source.
std::vector<const clang::DeclRefExpr *> writtenGlobalRefs(Program &P,
                                                          const EvalResult &R);

} // namespace scrcc

#endif
