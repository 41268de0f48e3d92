//===- FrameDecoder.cpp - Reading SCR frames back
//--------------------------===//

#include "scrrt/FrameDecoder.h"

#include <cstdio>

namespace scrrt {

using scr::HeaderFormat;

static uint64_t readBE(std::span<const uint8_t> B, size_t Off, unsigned N) {
  uint64_t V = 0;
  for (unsigned I = 0; I < N; ++I)
    V = V << 8 | B[Off + I];
  return V;
}

std::optional<DecodedFrame> decodeFrame(const scr::Layout &L,
                                        std::span<const uint8_t> Frame,
                                        std::string &Error) {
  if (Frame.size() < L.prefixBytes()) {
    Error = "frame of " + std::to_string(Frame.size()) +
            " bytes is shorter than the SCR prefix (" +
            std::to_string(L.prefixBytes()) + " bytes)";
    return std::nullopt;
  }
  DecodedFrame D;
  size_t Off = 0;
  if (L.Mode == scr::SequencerMode::Tor) {
    D.HasOuterEthernet = true;
    std::copy(Frame.begin(), Frame.begin() + 6, D.OuterDst);
    std::copy(Frame.begin() + 6, Frame.begin() + 12, D.OuterSrc);
    D.OuterEtherType = uint16_t(readBE(Frame, 12, 2));
    if (D.OuterEtherType != HeaderFormat::OuterEtherType) {
      char Buf[96];
      std::snprintf(Buf, sizeof Buf,
                    "outer EtherType 0x%04x is not the SCR EtherType 0x%04x",
                    D.OuterEtherType, HeaderFormat::OuterEtherType);
      Error = Buf;
      return std::nullopt;
    }
    Off = HeaderFormat::OuterEthernetBytes;
  }
  D.Seq = uint32_t(readBE(Frame, Off + HeaderFormat::SeqOffset, 4));
  D.HistSeq = uint32_t(readBE(Frame, Off + HeaderFormat::HistSeqOffset, 4));
  D.TimestampNs = readBE(Frame, Off + HeaderFormat::TimestampOffset, 8);
  D.Oldest = uint16_t(readBE(Frame, Off + HeaderFormat::OldestOffset, 2));
  D.Flags = Frame[Off + HeaderFormat::FlagsOffset];
  D.Reserved = Frame[Off + HeaderFormat::ReservedOffset];
  unsigned N = L.HistoryLength;
  if (N ? D.Oldest >= N : D.Oldest != 0) {
    Error = "oldest slot " + std::to_string(D.Oldest) +
            " is outside the ring of " + std::to_string(N);
    return std::nullopt;
  }
  Off += HeaderFormat::Bytes;
  for (unsigned I = 0; I < N; ++I, Off += L.entryBytes())
    D.Slots.push_back(Frame.subspan(Off, L.entryBytes()));
  D.Packet = Frame.subspan(Off);
  return D;
}

std::string formatEntry(const scr::Layout &L, std::span<const uint8_t> Entry) {
  std::string S;
  for (const scr::Field &F : L.Fields) {
    char Buf[64];
    uint64_t V = L.unpackField(Entry, F);
    if (F.K == scr::Field::Kind::Packet)
      std::snprintf(Buf, sizeof Buf, "0x%0*llx", int(F.Bits / 4),
                    (unsigned long long)V);
    else
      std::snprintf(Buf, sizeof Buf, "%llu", (unsigned long long)V);
    S += (S.empty() ? "" : " ") + F.Name + "=" + Buf;
  }
  return S;
}

} // namespace scrrt
