//===- Packet.cpp - Frame helpers
//------------------------------------------===//

#include "scrrt/Packet.h"

#include <algorithm>

namespace scrrt {

size_t dropRuntFrames(std::vector<Packet> &Packets) {
  auto Runt = [](const Packet &P) { return P.Data.size() < MinFrameBytes; };
  auto NewEnd = std::remove_if(Packets.begin(), Packets.end(), Runt);
  size_t Removed = size_t(Packets.end() - NewEnd);
  Packets.erase(NewEnd, Packets.end());
  return Removed;
}

} // namespace scrrt
