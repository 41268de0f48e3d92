//===- AbstractValue.h - The packet evaluator's abstract values -*- C++ -*-===//
//
// What the packet evaluator knows about one value: a packet pointer at a
// symbolic offset, the end of the packet, a value computed only from packet
// bytes, a pointer into map values or locals, or unknown (state); and the
// join of two such values where control flow meets.
//
//===----------------------------------------------------------------------===//
#ifndef SCRCC_ANALYSIS_ABSTRACTVALUE_H
#define SCRCC_ANALYSIS_ABSTRACTVALUE_H

#include "Program.h"
#include "Symbolic.h"

#include "clang/AST/Decl.h"

#include <memory>
#include <set>
#include <utility>
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

/// True if \p V may be a pointer into the packet.
bool mayBePacket(const AbsVal &V);
/// Least upper bound; \p Cond (if packet-only) turns differing packet values
/// into if-then-else expressions instead of losing them.
AbsVal join(const AbsVal &A, const AbsVal &B, const SymRef &Cond);

} // namespace scrcc

#endif
