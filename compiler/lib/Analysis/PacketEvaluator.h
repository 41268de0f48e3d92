//===- PacketEvaluator.h - Abstract interpretation of XDP code --*- C++ -*-===//
//
// Walks the entry function and, by inlining, every static function it calls,
// tracking for each value what it is: a packet pointer at a symbolic offset,
// the end of the packet, a value computed only from packet bytes (a symbolic
// expression), a pointer into map values or locals, or unknown (state).
// It records what the slicer needs: each expression's abstract value merged
// over all calling contexts, every state write with the packet conditions on
// its path, which statements define which locals, and the call graph.
// Anything it cannot model soundly is reported as an error.
//
//===----------------------------------------------------------------------===//
#ifndef SCRCC_ANALYSIS_PACKETEVALUATOR_H
#define SCRCC_ANALYSIS_PACKETEVALUATOR_H

#include "AbstractValue.h"
#include "BpfHelpers.h"
#include "Program.h"
#include "Symbolic.h"

#include "clang/AST/Expr.h"
#include "clang/AST/Stmt.h"

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <vector>

namespace scrcc {

/// A statement that changes replicated state.
struct StateWrite {
  const clang::Expr *Node;
  std::string What; // e.g. "update of map `knock_state`"
};

struct EvalResult {
  /// Abstract value of every evaluated expression, merged over contexts.
  std::map<const clang::Expr *, AbsVal> Values;
  /// Expressions that read the packet (the rvalue load nodes).
  std::set<const clang::Expr *> PacketReads;
  std::vector<StateWrite> Writes;
  /// Packet literals on every path reaching each state write.
  std::optional<std::vector<Literal>> CommonLiterals;
  /// Locals each expression may define (assignments, &local passed to calls).
  std::map<const clang::Expr *, std::set<const clang::VarDecl *>> Defs;
  /// Static calls and their targets.
  std::map<const clang::CallExpr *, const clang::FunctionDecl *> Calls;
  std::set<const clang::FunctionDecl *> Reached;
  /// Helper calls the emitters rewrite.
  std::vector<const clang::CallExpr *> TimeCalls, PrngCalls;
  /// Every helper call given a map (a MapRef argument), with the maps it
  /// may be given over all calling contexts: a call on a replicated map is
  /// rerouted to the running replica's copy (ReplicatedMaps.h).
  std::map<const clang::CallExpr *, std::set<const MapInfo *>> MapCalls;
  /// Globals the program writes: replicated state like written maps
  /// (Replication.h), each with where it is first written.
  std::map<const clang::VarDecl *, std::string> WrittenGlobals;
  bool UsesTime = false, UsesPrng = false;
};

/// Runs the evaluation from P.Entry. Returns false if errors were reported.
bool evaluateProgram(Program &P, EvalResult &R);

/// The static function \p C calls directly, if any.
const clang::FunctionDecl *directCallee(const clang::CallExpr *C);

/// The builtin an AtomicExpr spells (e.g. "__atomic_fetch_add").
std::string atomicBuiltinName(const clang::AtomicExpr *AE,
                              const clang::ASTContext &Ctx);

} // namespace scrcc

#endif
