//===- LossModel.h - Frame loss between sequencer and cores -----*- C++ -*-===//
//
// Decides which SCR frames never reach their core, for the loss-recovery
// replay. Losses come in bursts of `Burst` consecutive frames (of the
// sequencer's output, so a burst hits every core in turn); a burst starts
// at a frame with the probability that makes Rate the long-run fraction of
// frames lost. Deterministic for a given seed.
//
//===----------------------------------------------------------------------===//
#ifndef SCRRT_LOSSMODEL_H
#define SCRRT_LOSSMODEL_H

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace scrrt {

struct LossOptions {
  double Rate = 0;    // fraction of frames lost, 0..1
  uint64_t Burst = 1; // frames per loss event
  uint64_t Seed = 1;
};

/// Parses a loss rate: "1%" (percent) or "0.01" (fraction). nullopt if it
/// is not a number in [0, 1] (0 % .. 100 %).
std::optional<double> parseLossRate(const std::string &Text);

/// Lost[i] is true iff frame i (of \p Frames) is lost. Frames from
/// \p LosslessFrom on are never lost.
std::vector<bool> drawLosses(const LossOptions &O, uint64_t Frames,
                             uint64_t LosslessFrom);

} // namespace scrrt

#endif
