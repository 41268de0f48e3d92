//===- Symbolic.h - Symbolic values over the raw packet ---------*- C++ -*-===//
//
// The packet evaluator describes every packet-derived value as a symbolic
// expression over the raw frame. It is richer than the layout's expression
// language (scr::Expr) in two ways: it knows the sequencer timestamp as a leaf
// and byte swaps as operators, because C programs read multi-byte fields in
// host order and then swap them. lowerToLayout() turns a symbolic value into
// an scr::Expr a sequencer can compute, folding byte swaps into constants
// where it can.
//
//===----------------------------------------------------------------------===//
#ifndef SCRCC_ANALYSIS_SYMBOLIC_H
#define SCRCC_ANALYSIS_SYMBOLIC_H

#include "scrcc/Layout.h"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace scrcc {

struct Sym;
using SymRef = std::shared_ptr<const Sym>;

/// Bounds on one symbolic value (docs/supported.md#analysis-limits): its
/// expression tree (shared subtrees counted every time they occur, as the
/// recursive functions below walk them) has at most MaxSymNodes nodes and
/// MaxSymDepth levels. A value that would grow past them is widened by the
/// evaluator to "unknown" (the slicer then carries the packet values it is
/// computed from instead), so every walk of a Sym is bounded.
inline constexpr unsigned MaxSymNodes = 2048;
inline constexpr unsigned MaxSymDepth = 96;

struct Sym {
  enum class Kind {
    Const,     // Value
    Load,      // big-endian load of Bytes bytes at byte offset Args[0]
    Len,       // frame length
    Timestamp, // sequencer timestamp (bpf_ktime_get_ns)
    Op,        // scr::Expr operator Op over Args
    Bswap      // byte swap of the low Bytes bytes of Args[0]
  };
  Kind K = Kind::Const;
  uint64_t Value = 0;
  unsigned Bytes = 0;
  scr::Expr::Op O = scr::Expr::Op::Const;
  std::vector<SymRef> Args;
  /// Tree size and depth (saturating), kept by every constructor.
  unsigned Nodes = 1, Depth = 1;

  static SymRef constant(uint64_t V);
  static SymRef load(SymRef Offset, unsigned Bytes);
  /// What a C load of \p Bytes bytes sees on the (little-endian) BPF target.
  static SymRef hostLoad(SymRef Offset, unsigned Bytes);
  static SymRef len();
  static SymRef timestamp();
  static SymRef op(scr::Expr::Op O, std::vector<SymRef> Args);
  static SymRef bswap(SymRef X, unsigned Bytes);

  bool equals(const Sym &O) const;
  bool isConst() const { return K == Kind::Const; }
  /// Past MaxSymNodes or MaxSymDepth: to be widened, not used.
  bool tooLarge() const { return Nodes > MaxSymNodes || Depth > MaxSymDepth; }
  bool mentionsTimestamp() const;
  bool mentionsPacket() const; // loads or length
};

bool symEquals(const SymRef &A, const SymRef &B);

/// Number of bits needed to hold every value \p S can take (64 if unknown).
unsigned significantBits(const SymRef &S);
/// `Cond ? A : B`, simplified; nullptr if it would be tooLarge(): the
/// bounded merge of two values at a join point.
SymRef joinIte(const SymRef &Cond, const SymRef &A, const SymRef &B);
/// Masks \p X to \p Bits bits (no-op for 64).
SymRef truncate(SymRef X, unsigned Bits);
/// Constant-folds and simplifies (byte swaps against constants, etc.).
SymRef simplify(const SymRef &S);
/// Substitutes known truth values for predicate literals, then simplifies.
SymRef assume(const SymRef &S,
              const std::vector<std::pair<SymRef, bool>> &Literals);
/// Lowers to the layout's expression language; nullopt if the value depends
/// on something a sequencer cannot compute from the frame (the timestamp),
/// or if the expression would be deeper than a layout allows
/// (scr::MaxExprDepth).
std::optional<scr::ExprRef> lowerToLayout(const SymRef &S);
/// Nesting depth of a lowered expression (shared subexpressions walked once).
unsigned loweredDepth(const scr::Expr &E);

} // namespace scrcc

#endif
