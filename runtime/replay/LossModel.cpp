//===- LossModel.cpp - Frame loss between sequencer and cores -------------===//

#include "scrrt/LossModel.h"

#include "scrrt/Random.h"

#include <cerrno>
#include <cstdlib>

namespace scrrt {

std::optional<double> parseLossRate(const std::string &Text) {
  if (Text.empty())
    return std::nullopt;
  bool Percent = Text.back() == '%';
  std::string Number = Percent ? Text.substr(0, Text.size() - 1) : Text;
  char *End = nullptr;
  errno = 0;
  double V = std::strtod(Number.c_str(), &End);
  if (Number.empty() || errno || !End || *End || !(V >= 0))
    return std::nullopt;
  if (Percent)
    V /= 100;
  if (V > 1)
    return std::nullopt;
  return V;
}

std::vector<bool> drawLosses(const LossOptions &O, uint64_t Frames,
                             uint64_t LosslessFrom) {
  std::vector<bool> Lost(Frames, false);
  if (O.Rate <= 0 || O.Burst == 0)
    return Lost;
  Random R(O.Seed);
  // A burst starts at a frame outside a burst with probability q; then
  // bursts of B frames alternate with geometric runs of mean (1 - q) / q
  // frames, and q = R / (R + B (1 - R)) makes the lost fraction R.
  double Start = O.Rate / (O.Rate + double(O.Burst) * (1 - O.Rate));
  for (uint64_t I = 0; I < std::min(Frames, LosslessFrom);) {
    if (!R.chance(Start)) {
      ++I;
      continue;
    }
    for (uint64_t B = 0; B < O.Burst && I < std::min(Frames, LosslessFrom); ++B)
      Lost[I++] = true;
  }
  return Lost;
}

} // namespace scrrt
