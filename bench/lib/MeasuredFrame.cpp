//===- MeasuredFrame.cpp - The frame every variant is timed on ------------===//

#include "MeasuredFrame.h"

namespace scrbench {

std::optional<size_t>
pickMeasuredPacket(const std::vector<scrrt::Packet> &Trace,
                   const scr::Layout &Deepest, std::string &Error) {
  scrrt::Sequencer S(Deepest);
  for (size_t I = 0; I < Trace.size(); ++I) {
    scrrt::Sequencer::Frame F = S.next(Trace[I]);
    if (F.Relevant && F.HistSeq >= Deepest.HistoryLength)
      return I;
  }
  Error = "no packet in the trace (" + std::to_string(Trace.size()) +
          " packets) is relevant and preceded by " +
          std::to_string(Deepest.HistoryLength) +
          " relevant packets; use a longer trace or another trace kind";
  return std::nullopt;
}

scrrt::Sequencer::Frame frameFor(const std::vector<scrrt::Packet> &Trace,
                                 const scr::Layout &L, size_t Index) {
  scrrt::Sequencer S(L);
  for (size_t I = 0; I < Index; ++I)
    S.next(Trace[I]);
  return S.next(Trace[Index]);
}

} // namespace scrbench
