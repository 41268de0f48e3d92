//===- Sequencer.h - The reference SCR sequencer ----------------*- C++ -*-===//
//
// The golden model of docs/packet-format.md: takes packets in arrival order
// and emits, for each, the SCR frame (header, the history ring, the packet).
// The Verilog and P4 sequencers are checked against its bytes.
//
//===----------------------------------------------------------------------===//
#ifndef SCRRT_SEQUENCER_H
#define SCRRT_SEQUENCER_H

#include "scrcc/Layout.h"
#include "scrrt/Packet.h"

#include <cstdint>
#include <vector>

namespace scrrt {

class Sequencer {
public:
  explicit Sequencer(const scr::Layout &L);
  /// Starts the counters at \p InitialSeq / \p InitialHistSeq instead of 0
  /// (and the ring's write slot at InitialHistSeq mod N), so that tests can
  /// reach the 2^32 wrap-around quickly. reset() returns to these values.
  Sequencer(const scr::Layout &L, uint32_t InitialSeq, uint32_t InitialHistSeq);

  struct Frame {
    uint32_t Seq;         // header `seq`
    uint32_t HistSeq;     // header `hist_seq`
    bool Relevant;        // header flag RELEVANT
    uint64_t TimestampNs; // header `ts` (truncated to layout.timestamp_bits)
    std::vector<uint8_t> Bytes; // the whole frame: [outer Eth] hdr slots pkt
  };

  /// One packet in, one SCR frame out (state advances).
  Frame next(const Packet &P);
  /// Back to the start-up state: counters at their initial values, ring zero.
  void reset();

  /// The values the next frame's header will carry.
  uint32_t seq() const { return Seq; }
  uint32_t histSeq() const { return HistSeq; }
  /// Ring slot the next entry is written to (the header's `oldest`).
  uint16_t oldestSlot() const { return uint16_t(WriteSlot); }
  const scr::Layout &layout() const { return L; }

private:
  scr::Layout L;
  uint32_t InitialSeq = 0, InitialHistSeq = 0;
  uint32_t Seq = 0, HistSeq = 0;
  unsigned WriteSlot = 0;
  unsigned EntryBytes = 0;
  uint64_t TimestampMask = 0;
  std::vector<uint8_t> Ring; // N * EntryBytes bytes, slot order
};

/// Sequences a whole trace: frame i of the result is the SCR frame of
/// Packets[i], its pcap timestamp the packet's arrival time (untruncated).
std::vector<Packet> sequenceTrace(Sequencer &S,
                                  const std::vector<Packet> &Packets);

} // namespace scrrt

#endif
