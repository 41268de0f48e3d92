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

using Literal = std::pair<SymRef, bool>;

/// The constant values a called function may return, each with the packet
/// literals that hold on the path to that return (a necessary condition,
/// not a sufficient one: branches on state add no literals). Lets a caller
/// testing the result (`if (parse(...) < 0) return;`) learn which packet
/// checks passed.
using ReturnCases = std::vector<std::pair<std::vector<Literal>, int64_t>>;

struct AbsVal {
  enum class Kind { Unknown, Scalar, PktPtr, DataEnd, Ctx, MapRef, Ptr };
  Kind K = Kind::Unknown;
  SymRef S;                       // Scalar: the value; PktPtr: byte offset
  const MapInfo *Map = nullptr;   // MapRef
  std::set<const MapInfo *> Maps; // Ptr: may point into these maps' values
  std::set<const clang::VarDecl *> Locals; // Ptr: may point to these locals
  /// Ptr to exactly one local (and nothing else): the byte offset into it,
  /// or -1 if not known. Lets stores through out-parameters and cursor
  /// structs (`*ethhdr = eth; nh->pos = eth + 1;`) keep the stored value.
  int64_t LocalOff = -1;
  /// PktPtr: the pointer is NULL exactly when this packet-only condition
  /// holds (`fits ? hdr : NULL`); null if it is never NULL.
  SymRef NullIf;
  bool Global = false; // Ptr: may point to a global variable
  std::set<const clang::VarDecl *> Globals; // Ptr: ... these globals
  bool MayPacket = false;                   // Unknown: may be a packet pointer
  bool Dirty = false; // computed from packet bytes the program wrote
  /// Unknown: the value is one of these constants (a call's return value,
  /// or a comparison of one with a constant), in the value's own type.
  std::shared_ptr<const ReturnCases> Cases;

  static AbsVal unknown(bool MayPacket = false) {
    AbsVal V;
    V.MayPacket = MayPacket;
    return V;
  }
  static AbsVal scalar(SymRef S) {
    AbsVal V;
    V.K = Kind::Scalar;
    V.S = std::move(S);
    return V;
  }
  bool isPacketOnly() const { return K == Kind::Scalar && S; }
  bool operator==(const AbsVal &O) const;
};

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
