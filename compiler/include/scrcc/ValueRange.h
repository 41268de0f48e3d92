//===- ValueRange.h - Bounds of the values of a layout expression -*- C++
//-*-===//
//
// An interval analysis of scr::Expr with the layout's semantics: the
// Verilog back end sizes its offset multiplexers with it.
//
//===----------------------------------------------------------------------===//
#ifndef SCRCC_VALUERANGE_H
#define SCRCC_VALUERANGE_H

#include "scrcc/Layout.h"

#include <cstdint>

namespace scr {

/// Inclusive bounds of the values an expression can take.
struct ValueRange {
  uint64_t Lo = 0, Hi = ~0ULL;
  bool isPoint() const { return Lo == Hi; }
};

/// Conservative bounds of \p E for any frame of at most MaxFrameBytes bytes.
ValueRange rangeOf(const Expr &E);

} // namespace scr

#endif
