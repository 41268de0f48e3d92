//===- ValueRange.h - Bounds of the values of a layout expression -*- C++
//-*-===//
//
// An interval analysis of scr::Expr with the layout's semantics: the
// compiler sizes value fields and drops redundant masks with it (over its
// symbolic values, through applyRange), the Verilog back end sizes its
// offset multiplexers with it.
//
//===----------------------------------------------------------------------===//
#ifndef SCRCC_VALUERANGE_H
#define SCRCC_VALUERANGE_H

#include "scrcc/Layout.h"

#include <cstdint>
#include <functional>

namespace scr {

/// Inclusive bounds of the values an expression can take.
struct ValueRange {
  uint64_t Lo = 0, Hi = ~0ULL;
  bool isPoint() const { return Lo == Hi; }
};

/// Conservative bounds of \p E for any frame of at most MaxFrameBytes bytes.
ValueRange rangeOf(const Expr &E);

/// The values of a load of \p Bytes bytes.
ValueRange loadRange(unsigned Bytes);
/// Conservative bounds of operator \p K (not a leaf) applied to \p NumArgs
/// operands, operand I having the values ArgRange(I): the transfer
/// function of rangeOf(), for other trees with the same operators (the
/// compiler's symbolic values). ArgRange is only called for the operands
/// the result depends on.
ValueRange applyRange(Expr::Op K, unsigned NumArgs,
                      const std::function<ValueRange(unsigned)> &ArgRange);

} // namespace scr

#endif
