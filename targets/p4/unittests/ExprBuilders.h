//===- ExprBuilders.h - Layout expressions the P4 unit tests share -*- C++ -*-//
//
// Small builders for the layout expressions the tests feed the P4 target:
// constants, the IPv4 IHL and a byte-swapped 32-bit load as scrcc lowers
// bpf_ntohl().
//
//===----------------------------------------------------------------------===//
#ifndef SCRP4_UNITTESTS_EXPRBUILDERS_H
#define SCRP4_UNITTESTS_EXPRBUILDERS_H

#include "scrcc/Layout.h"

namespace scrp4::test {

inline scr::ExprRef C(uint64_t V) { return scr::Expr::constant(V); }

/// The IPv4 header length in words: pkt8[14] & 0xf.
inline scr::ExprRef Ihl() {
  return scr::Expr::make(scr::Expr::Op::And, {scr::Expr::pkt(C(14), 1), C(15)});
}

/// bpf_ntohl(pkt32[Off]) as the compiler lowers it: the four bytes of the
/// big-endian load, shifted into reverse order and or-ed together.
inline scr::ExprRef swapped32(unsigned Off) {
  using Op = scr::Expr::Op;
  auto X = scr::Expr::pkt(C(Off), 4);
  scr::ExprRef R;
  for (unsigned I = 0; I < 4; ++I) {
    auto Byte = scr::Expr::make(
        Op::Shl,
        {scr::Expr::make(Op::And,
                         {scr::Expr::make(Op::Shr, {X, C(8 * I)}), C(0xff)}),
         C(8 * (3 - I))});
    R = R ? scr::Expr::make(Op::Or, {R, Byte}) : Byte;
  }
  return R;
}

} // namespace scrp4::test

#endif
