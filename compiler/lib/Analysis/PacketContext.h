//===- PacketContext.h - Where the program sees its xdp_md -------*- C++
//-*-===//
//
// The SCR program strips its prefix before the original runs, so that the
// original sees the original packet. Where the original reaches the packet
// only through `ctx->data` and `ctx->data_end` (no helper, no data_meta, no
// copy of ctx), it may instead run on packet pointers rebased past the
// prefix, and the prefix need only be stripped from a packet that goes on
// (docs/transformation.md): a dropped one never pays for the head move.
//
//===----------------------------------------------------------------------===//

#ifndef SCRCC_ANALYSIS_PACKETCONTEXT_H
#define SCRCC_ANALYSIS_PACKETCONTEXT_H

#include "PacketEvaluator.h"

#include <optional>
#include <vector>

namespace scrcc {

/// The `X->data` reads of the program (X a `struct xdp_md *`) if they are
/// all the program reads of the packet's position, else std::nullopt: some
/// use of an xdp_md pointer is not a field read or a call of a function of
/// the program, or a field read is `data_meta` or inside a macro.
std::optional<std::vector<const clang::MemberExpr *>>
packetDataReads(Program &P, const EvalResult &R);

} // namespace scrcc

#endif
