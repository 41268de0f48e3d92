//===- FrameFuzzer.cpp - libFuzzer target: the SCR frame decoder ----------===//
//
// The frame parsing scr-seq --dump and scr-replay rely on. The first input
// byte picks one of a few layouts (nic and tor, no history, a short and a
// long history, padded slots); the rest is a frame. decodeFrame must refuse
// it with a message or split it within its bounds, and every slot it
// returns must format. The same bytes, as an original packet, go through
// the reference sequencer, and its frame must decode back to that packet
// and the ring it carried. Seeds: test/fuzz/Inputs/frames.
//
//===----------------------------------------------------------------------===//

#include "scrrt/FrameDecoder.h"
#include "scrrt/Sequencer.h"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {
[[noreturn]] void fail(const char *What, const std::string &Detail = "") {
  std::fprintf(stderr, "frame fuzzer: %s %s\n", What, Detail.c_str());
  std::abort();
}

scr::Layout makeLayout(unsigned Cores, unsigned History, bool Tor,
                       unsigned SlotBytes) {
  using scr::Expr;
  scr::Layout L;
  L.Source = "fuzz.bpf.c";
  L.Entry = "fuzz";
  L.Cores = Cores;
  L.HistoryLength = History;
  L.Mode = Tor ? scr::SequencerMode::Tor : scr::SequencerMode::Nic;
  L.Relevance = Expr::make(
      Expr::Op::Eq, {Expr::pkt(Expr::constant(12), 2), Expr::constant(0x800)});
  scr::Field Src;
  Src.Name = "saddr";
  Src.K = scr::Field::Kind::Packet;
  Src.Bits = 32;
  Src.Offset = Expr::constant(26);
  Src.CType = "__be32";
  scr::Field Port;
  Port.Name = "p_port";
  Port.K = scr::Field::Kind::Predicate;
  Port.Bits = 1;
  Port.Value = Expr::make(
      Expr::Op::Eq, {Expr::pkt(Expr::constant(36), 2), Expr::constant(7000)});
  Port.CType = "__u8";
  scr::Field Ts;
  Ts.Name = "ts";
  Ts.K = scr::Field::Kind::Timestamp;
  Ts.Bits = 48;
  Ts.CType = "__u64";
  L.Fields = {Src, Port, Ts};
  L.assignOffsets();
  L.SlotBytes = SlotBytes;
  std::string Error;
  if (!L.validate(Error))
    fail("a fuzzer layout is invalid:", Error);
  return L;
}

const std::vector<scr::Layout> &layouts() {
  static const std::vector<scr::Layout> Ls = {
      makeLayout(4, 3, false, 0),   makeLayout(1, 0, false, 0),
      makeLayout(14, 13, true, 0),  makeLayout(4, 3, false, 16),
      makeLayout(64, 200, true, 0), makeLayout(2, 1, true, 256)};
  return Ls;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  if (Size == 0)
    return 0;
  const scr::Layout &L = layouts()[Data[0] % layouts().size()];
  std::span<const uint8_t> Frame(Data + 1, Size - 1);
  std::string Error;
  if (auto D = scrrt::decodeFrame(L, Frame, Error)) {
    if (D->Slots.size() != L.HistoryLength ||
        D->Packet.size() + L.prefixBytes() != Frame.size())
      fail("decoded parts do not add up to the frame");
    for (unsigned Back = 1; Back <= L.HistoryLength; ++Back)
      (void)scrrt::formatEntry(L, D->entryBack(Back));
  } else if (Error.empty()) {
    fail("refused without a message");
  }

  // The bytes as an original packet: sequence two copies, decode the second.
  scrrt::Sequencer S(L);
  scrrt::Packet P{0x1234, std::vector<uint8_t>(Frame.begin(), Frame.end())};
  scrrt::Sequencer::Frame First = S.next(P), Second = S.next(P);
  auto D = scrrt::decodeFrame(L, Second.Bytes, Error);
  if (!D)
    fail("the sequencer's own frame does not decode:", Error);
  if (!std::equal(D->Packet.begin(), D->Packet.end(), P.Data.begin(),
                  P.Data.end()))
    fail("the decoded packet is not the original");
  if (D->Seq != 1 || D->HistSeq != (First.Relevant ? 1u : 0u) ||
      D->relevant() != Second.Relevant)
    fail("header fields");
  if (First.Relevant && L.HistoryLength) {
    std::vector<uint8_t> E = L.packEntry(P.Data, First.TimestampNs);
    auto Newest = D->entryBack(1);
    if (!std::equal(Newest.begin(), Newest.end(), E.begin(), E.end()))
      fail("the newest history entry is not the first packet's");
  }
  return 0;
}
