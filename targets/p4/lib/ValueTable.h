//===- ValueTable.h - Values of small packet bit-fields as tables -*- C++ -*-=//
//
// A Tofino cannot multiply or add arbitrary packet fields, but it can look a
// value up. A layout value that is a function of a few small packet
// bit-fields only (e.g. 4 * ihl + 4 * doff, two 4-bit fields) becomes an
// exact-match table over those bit-fields whose const entries enumerate
// every key combination; each entry's value is the layout's own expression
// evaluated (scr::Expr::eval, as in the reference sequencer) with the
// bit-fields replaced by the key's values, so the table cannot disagree
// with the reference.
//
//===----------------------------------------------------------------------===//
#ifndef SCRP4_VALUETABLE_H
#define SCRP4_VALUETABLE_H

#include "MatchRows.h"

#include <optional>
#include <string>
#include <vector>

namespace scrp4 {

/// Total key width up to which a value is enumerated (4096 entries).
inline constexpr unsigned MaxValueTableKeyBits = 12;

struct ValueTable {
  std::vector<Operand> Keys; // the bit-fields, in order of first use
  struct Entry {
    std::vector<uint64_t> Key; // one value per key, same order
    uint64_t Value;            // low Bits bits of the expression
  };
  std::vector<Entry> Entries; // every combination; one (empty key) if none
};

/// Enumerates \p E, truncated to \p Bits bits as scr::Field::extract does.
/// Fails (nullopt, \p Error set) if \p E reads anything but packet
/// bit-fields (the frame length, a load at an offset the parser cannot
/// place, a byte swap) or if its bit-fields are wider than
/// MaxValueTableKeyBits together.
std::optional<ValueTable> enumerateValue(const scr::Expr &E, unsigned Bits,
                                         std::string &Error);

} // namespace scrp4

#endif
