//===- MeasuredFrame.h - The frame every variant is timed on ----*- C++ -*-===//
//
// All variants of one example are timed on the same trace packet: the
// original program on the packet itself, the SCR program at K cores on the
// frame the reference sequencer emits for it under the K-core layout. The
// packet is chosen so that it is relevant and at least N relevant packets
// precede it for the deepest layout: then the frame carries a full history
// of N real entries (the last N relevant packets of the trace) for every K.
//
//===----------------------------------------------------------------------===//
#ifndef SCRBENCH_MEASUREDFRAME_H
#define SCRBENCH_MEASUREDFRAME_H

#include "scrcc/Layout.h"
#include "scrrt/Packet.h"
#include "scrrt/Sequencer.h"

#include <optional>
#include <string>
#include <vector>

namespace scrbench {

/// Index of the first packet of \p Trace that is relevant under \p Deepest and
/// preceded by at least Deepest.HistoryLength relevant packets. On failure
/// (no such packet) returns nullopt and sets \p Error.
std::optional<size_t>
pickMeasuredPacket(const std::vector<scrrt::Packet> &Trace,
                   const scr::Layout &Deepest, std::string &Error);

/// The frame the reference sequencer emits for Trace[Index] under \p L.
scrrt::Sequencer::Frame frameFor(const std::vector<scrrt::Packet> &Trace,
                                 const scr::Layout &L, size_t Index);

} // namespace scrbench

#endif
