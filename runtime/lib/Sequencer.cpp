//===- Sequencer.cpp - The reference SCR sequencer
//-------------------------===//
//
// A literal transcription of "Sequencer behaviour (normative)" in
// docs/packet-format.md; keep the two in step.
//
//===----------------------------------------------------------------------===//

#include "scrrt/Sequencer.h"

#include <algorithm>

namespace scrrt {

using scr::HeaderFormat;

namespace {
void putBE(std::vector<uint8_t> &Out, uint64_t V, unsigned Bytes) {
  for (unsigned I = Bytes; I-- > 0;)
    Out.push_back(uint8_t(V >> (8 * I)));
}
} // namespace

Sequencer::Sequencer(const scr::Layout &Layout) : Sequencer(Layout, 0, 0) {}

Sequencer::Sequencer(const scr::Layout &Layout, uint32_t InitialSeq,
                     uint32_t InitialHistSeq)
    : L(Layout), InitialSeq(InitialSeq), InitialHistSeq(InitialHistSeq) {
  EntryBytes = L.entryBytes();
  TimestampMask = L.TimestampBits >= 64 ? ~0ULL : (1ULL << L.TimestampBits) - 1;
  reset();
}

void Sequencer::reset() {
  Seq = InitialSeq;
  HistSeq = InitialHistSeq;
  unsigned N = L.HistoryLength;
  WriteSlot = N ? InitialHistSeq % N : 0;
  Ring.assign(size_t(N) * EntryBytes, 0);
}

Sequencer::Frame Sequencer::next(const Packet &P) {
  const unsigned N = L.HistoryLength;
  Frame F;
  F.Seq = Seq;
  F.HistSeq = HistSeq;
  F.TimestampNs = P.TimestampNs & TimestampMask;
  // No relevance expression means every packet may update state.
  F.Relevant = !L.Relevance || L.Relevance->eval(P.Data) != 0;

  std::vector<uint8_t> &B = F.Bytes;
  B.reserve(L.prefixBytes() + P.Data.size());
  if (L.Mode == scr::SequencerMode::Tor) {
    B.insert(B.end(), L.OuterDst, L.OuterDst + 6);
    B.insert(B.end(), L.OuterSrc, L.OuterSrc + 6);
    putBE(B, HeaderFormat::OuterEtherType, 2);
  }
  putBE(B, Seq, 4);
  putBE(B, HistSeq, 4);
  putBE(B, F.TimestampNs, 8);
  putBE(B, WriteSlot, 2);
  B.push_back(F.Relevant ? HeaderFormat::FlagRelevant : 0);
  B.push_back(0); // reserved
  B.insert(B.end(), Ring.begin(), Ring.end());
  B.insert(B.end(), P.Data.begin(), P.Data.end());

  if (F.Relevant && N > 0) {
    std::vector<uint8_t> E = L.packEntry(P.Data, F.TimestampNs);
    std::copy(E.begin(), E.end(),
              Ring.begin() + size_t(WriteSlot) * EntryBytes);
    WriteSlot = (WriteSlot + 1) % N;
  }
  if (F.Relevant)
    ++HistSeq; // unsigned: wraps at 2^32
  ++Seq;
  return F;
}

std::vector<Packet> sequenceTrace(Sequencer &S,
                                  const std::vector<Packet> &Packets) {
  std::vector<Packet> Out;
  Out.reserve(Packets.size());
  for (const Packet &P : Packets)
    Out.push_back({P.TimestampNs, S.next(P).Bytes});
  return Out;
}

} // namespace scrrt
