//===- MatchRows.h - Layout expressions as Tofino match rows ----*- C++ -*-===//
//
// A Tofino can compare header fields with constants in a ternary/range
// match table, but it cannot run arbitrary arithmetic. The relevance
// expression and every predicate of a layout are therefore lowered to
// disjunctive normal form over "operands" (bit slices of parsed packet bytes
// or the frame length) constrained by ranges or masked values: each
// conjunction becomes one const entry of a table. Anything else is reported
// as an error naming the layout item.
//
//===----------------------------------------------------------------------===//
#ifndef SCRP4_MATCHROWS_H
#define SCRP4_MATCHROWS_H

#include "scrcc/Layout.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace scrp4 {

/// Where an operand's bytes are.
enum class Region {
  Base,   // absolute offset into the frame
  L4,     // offset relative to the end of the IPv4 header (14 + 4 * IHL)
  Length, // the frame length (matched through eg_intr_md.pkt_length)
  Derived // Offset-th value of a DerivedValues (computed by the MAU)
};

/// Bits Hi..Lo (0 = least significant) of the big-endian value of Bytes
/// bytes at Offset in Region; Swapped: the bytes in reverse order.
struct Operand {
  Region R = Region::Base;
  unsigned Offset = 0;
  unsigned Bytes = 0;
  unsigned Hi = 0, Lo = 0;
  bool Swapped = false;

  unsigned width() const { return Hi - Lo + 1; }
  uint64_t maxValue() const {
    return width() >= 64 ? ~0ULL : (1ULL << width()) - 1;
  }
  auto key() const { return std::tie(R, Offset, Bytes, Hi, Lo, Swapped); }
  bool operator<(const Operand &O) const { return key() < O.key(); }
  bool operator==(const Operand &O) const { return key() == O.key(); }
};

/// The IPv4 IHL nibble: low 4 bits of frame byte 14.
Operand ihlOperand();

struct Range {
  uint64_t Lo, Hi;
};
struct Masked {
  uint64_t Value, Mask;
};

/// Minuend |-| Subtrahend (P4 saturating subtraction): non-zero iff
/// Minuend > Subtrahend. Both are whole parsed fields of the same width, so
/// one ALU instruction computes it; a table one stage later then compares
/// two packet fields by matching these differences against zero.
struct SatSub {
  Operand Minuend, Subtrahend;
};

/// The MAU-computed values match rows refer to (Region::Derived operands).
struct DerivedValues {
  std::vector<SatSub> Items;
  /// The Derived operand for Minuend |-| Subtrahend (deduplicated).
  Operand add(const Operand &Minuend, const Operand &Subtrahend);
};

/// One conjunction: every operand within its range / matching its mask.
struct Row {
  std::map<Operand, Range> Ranges;
  std::map<Operand, Masked> Terns;
};

/// Recognises packet loads, masks, shifts, byte swaps and IHL-relative
/// offsets in a layout expression.
std::optional<Operand> toOperand(const scr::Expr &E);

/// Lowers boolean \p E to rows whose disjunction equals it (its negation if
/// \p Negate). On failure returns nullopt and sets \p Error. With \p D, a
/// comparison of two whole packet fields becomes rows over saturating
/// differences recorded in \p D (lexicographic, digit by digit); without
/// it such a comparison is refused.
std::optional<std::vector<Row>> toRows(const scr::Expr &E, bool Negate,
                                       std::string &Error,
                                       DerivedValues *D = nullptr);

/// Whether every frame that matches \p R has a complete IPv4 header
/// (IHL >= 5) followed by at least \p L4Bytes bytes -- i.e. the parser has
/// extracted the L4 bytes the row reads.
bool rowImpliesL4(const Row &R, unsigned L4Bytes);

/// Ternary (value, mask) pairs whose union is [Lo, Hi] over \p Bits bits.
std::vector<Masked> rangeToPrefixes(uint64_t Lo, uint64_t Hi, unsigned Bits);

/// Bytes Tofino adds to the frame length in eg_intr_md.pkt_length (the FCS).
inline constexpr unsigned PktLengthFcsBytes = 4;

} // namespace scrp4

#endif
