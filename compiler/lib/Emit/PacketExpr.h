//===- PacketExpr.h - Layout expressions as C -------------------*- C++ -*-===//
//
// The layout's expressions (relevance, field values and offsets) evaluated
// in BPF C on the original packet, with scr::Expr::eval's semantics: the
// frame check computes the packet's relevance with them, loss recovery a
// packet's own history entry.
//
//===----------------------------------------------------------------------===//
#ifndef SCRCC_EMIT_PACKETEXPR_H
#define SCRCC_EMIT_PACKETEXPR_H

#include "scrcc/Layout.h"

#include <cstdint>
#include <string>

namespace scrcc {

/// Replaces every \p From in \p S by \p To (template placeholders).
void substitute(std::string &S, const std::string &From, const std::string &To);

/// \p V as a C literal of type unsigned long long ("0x2aULL").
std::string cHex(uint64_t V);

/// The mask of the low \p Bits bits as a C literal.
std::string cMask(unsigned Bits);

/// The C expression computing \p E on the original packet with the
/// semantics of scr::Expr::eval (64-bit unsigned wrapping arithmetic, loads
/// past the end read zero bytes). The packet is [scr_p, scr_end), its length
/// scr_len; the helpers are packetExprHelpersC()'s. A load at a constant
/// offset that ends at most \p InBounds bytes into the packet reads it
/// without a bounds check: the caller has checked that many bytes.
std::string packetExprC(const scr::Expr &E, uint64_t InBounds = 0);

/// The end of the furthest load at a constant offset in \p E (0 if none).
uint64_t fixedLoadsEnd(const scr::Expr &E);

/// True if \p E reads the frame length (scr_len).
bool usesLength(const scr::Expr &E);

/// scr_shl(), scr_shr(), scr_pkt() and scr_pkt_in(), which packetExprC()
/// calls.
std::string packetExprHelpersC();

} // namespace scrcc

#endif
