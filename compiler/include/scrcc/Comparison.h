//===- Comparison.h - The comparison operators of layout expressions -*- C++
//-*-//
//
// What every rewriter of scr::Expr comparisons needs to know about them:
// which operators compare, and how a comparison turns under `!` and when
// its operands swap sides. The compiler's simplifier, the P4 match-row
// builder and the Verilog lowering all use these, so they cannot disagree.
//
//===----------------------------------------------------------------------===//
#ifndef SCRCC_COMPARISON_H
#define SCRCC_COMPARISON_H

#include "scrcc/Layout.h"

namespace scr {

/// True for the ten comparisons: Eq, Ne and the unsigned and signed orders.
bool isComparison(Expr::Op K);
/// True for Slt, Sle, Sgt and Sge.
bool isSignedComparison(Expr::Op K);
/// The comparison that holds exactly when \p K does not: `!(a < b)` is
/// `a >= b`. \p K if it is not a comparison.
Expr::Op negatedComparison(Expr::Op K);
/// The comparison with its operands swapped: `a < b` is `b > a`. \p K if
/// it is not an order (Eq and Ne are their own mirror).
Expr::Op mirroredComparison(Expr::Op K);
/// The unsigned order of the same direction (Slt -> Ult, ...); \p K if it
/// is not a signed order. Equal to \p K's meaning on zero-extended values
/// narrower than 64 bits.
Expr::Op unsignedComparison(Expr::Op K);

} // namespace scr

#endif
