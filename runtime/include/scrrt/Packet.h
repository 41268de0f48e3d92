//===- Packet.h - One captured frame with its timestamp ----------*- C++
//-*-===//
//
// The unit every runtime component passes around: the raw bytes of one
// Ethernet frame as it arrived, and when it arrived.
//
//===----------------------------------------------------------------------===//
#ifndef SCRRT_PACKET_H
#define SCRRT_PACKET_H

#include <cstddef>
#include <cstdint>
#include <vector>

namespace scrrt {

struct Packet {
  uint64_t TimestampNs = 0;  // arrival time in ns (pcap time, full width)
  std::vector<uint8_t> Data; // the frame, starting at the Ethernet header
};

/// Frames shorter than an Ethernet header never reach an XDP program (the NIC
/// drops them and BPF_PROG_TEST_RUN rejects them; docs/packet-format.md).
inline constexpr size_t MinFrameBytes = 14;

/// Removes frames shorter than MinFrameBytes, keeping the order of the rest;
/// returns how many were removed. Tools call this before sequencing, since
/// such frames never arrive and so take no sequence number.
size_t dropRuntFrames(std::vector<Packet> &Packets);

} // namespace scrrt

#endif
