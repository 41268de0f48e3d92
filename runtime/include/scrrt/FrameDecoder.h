//===- FrameDecoder.h - Reading SCR frames back -----------------*- C++ -*-===//
//
// The inverse of the sequencer: splits an SCR frame (docs/packet-format.md)
// into header, history slots and original packet. Used by `scr-seq --dump`,
// by tests, and to compare hardware sequencer output with the reference.
//
//===----------------------------------------------------------------------===//
#ifndef SCRRT_FRAMEDECODER_H
#define SCRRT_FRAMEDECODER_H

#include "scrcc/Layout.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace scrrt {

struct DecodedFrame {
  bool HasOuterEthernet = false;
  uint8_t OuterDst[6] = {}, OuterSrc[6] = {};
  uint16_t OuterEtherType = 0;
  uint32_t Seq = 0, HistSeq = 0;
  uint64_t TimestampNs = 0;
  uint16_t Oldest = 0;
  uint8_t Flags = 0;
  uint8_t Reserved = 0;
  std::vector<std::span<const uint8_t>> Slots; // N entries, slot order
  std::span<const uint8_t> Packet;             // the original frame

  bool relevant() const { return Flags & scr::HeaderFormat::FlagRelevant; }
  /// The slot holding entry HistSeq - D (1 <= D <= N): oldest-first walk.
  std::span<const uint8_t> entryBack(unsigned D) const {
    return Slots[(Oldest + Slots.size() - D) % Slots.size()];
  }
};

/// Decodes \p Frame per \p L. Frames too short for the prefix, a wrong outer
/// EtherType in tor mode, or an `oldest` outside the ring give nullopt and
/// \p Error.
std::optional<DecodedFrame> decodeFrame(const scr::Layout &L,
                                        std::span<const uint8_t> Frame,
                                        std::string &Error);

/// One line per field of an entry: "name=value ..." (hex for packet fields).
std::string formatEntry(const scr::Layout &L, std::span<const uint8_t> Entry);

} // namespace scrrt

#endif
