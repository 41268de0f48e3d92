//===- scr-verilog-vectors.cpp - Testbench vectors from a trace -----------===//
//
//   scr-verilog-vectors --layout L.json -i trace.pcap --stim S.hex
//                       --expect E.hex [--cores K]
//
// Writes the trace (runt frames removed, as the runtime tools do) and the
// frames the reference sequencer (scrrt::Sequencer) emits for it, as byte
// streams for $readmemh in tb/scr_tb.v:
//   S.hex: count(be32) then per packet len(be16) ts(be64) bytes
//   E.hex: count(be32) then per frame  len(be16) bytes
//
//===----------------------------------------------------------------------===//

#include "scrcli/Options.h"
#include "scrrt/Pcap.h"
#include "scrrt/Sequencer.h"

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

namespace {
class HexWriter {
public:
  void put(uint64_t V, unsigned Bytes) {
    for (unsigned I = Bytes; I-- > 0;)
      byte(uint8_t(V >> (8 * I)));
  }
  void bytes(const std::vector<uint8_t> &B) {
    for (uint8_t X : B)
      byte(X);
  }
  bool save(const std::string &Path) const {
    std::ofstream Out(Path);
    return Out && (Out << Text) && Out.flush();
  }

private:
  void byte(uint8_t X) {
    static const char Hex[] = "0123456789abcdef";
    Text += Hex[X >> 4];
    Text += Hex[X & 15];
    Text += ++Count % 32 ? ' ' : '\n';
  }
  std::string Text;
  size_t Count = 0;
};
} // namespace

int main(int Argc, char **Argv) {
  std::string LayoutPath, In, Stim, Expect;
  unsigned Cores = 0;
  scrcli::Options CL(
      {"scr-verilog-vectors",
       "stimulus and expected frames of the Verilog testbench from a trace",
       {"--layout L.json -i T.pcap --stim S.hex --expect E.hex [--cores K]"},
       "Writes the trace (runt frames removed) and the frames the reference\n"
       "sequencer emits for it, as $readmemh byte streams for tb/scr_tb.v.",
       {}});
  CL.addString("layout", "L.json", "scr_layout.json written by scrcc",
               LayoutPath);
  CL.addString("i", "T.pcap", "the trace", In);
  CL.addString("stim", "S.hex", "stimulus: the trace's packets", Stim);
  CL.addString("expect", "E.hex", "the reference sequencer's frames", Expect);
  CL.addNumber("cores", "K", "resize the history to K-1 entries", Cores, 1,
               scr::MaxCores);
  if (auto Exit = CL.parse(Argc, Argv))
    return *Exit;
  if (LayoutPath.empty() || In.empty() || Stim.empty() || Expect.empty())
    CL.usageError("--layout, -i, --stim and --expect are required");
  std::string Error;
  auto L = scr::Layout::load(LayoutPath, Error);
  if (!L)
    return CL.error(Error);
  if (Cores && !L->setCores(Cores, Error))
    return CL.error("--cores " + std::to_string(Cores) + ": " + Error);
  auto Packets = scrrt::readPcap(In, Error);
  if (!Packets)
    return CL.error(Error);
  size_t Runts = scrrt::dropRuntFrames(*Packets);
  scrrt::Sequencer Seq(*L);
  HexWriter S, E;
  S.put(Packets->size(), 4);
  E.put(Packets->size(), 4);
  for (const scrrt::Packet &P : *Packets) {
    if (P.Data.size() > 65535)
      return CL.error(In + ": frame of " + std::to_string(P.Data.size()) +
                      " bytes is too long");
    scrrt::Sequencer::Frame F = Seq.next(P);
    S.put(P.Data.size(), 2);
    S.put(P.TimestampNs, 8);
    S.bytes(P.Data);
    E.put(F.Bytes.size(), 2);
    E.bytes(F.Bytes);
  }
  if (!S.save(Stim) || !E.save(Expect))
    return CL.error("cannot write vectors");
  std::printf("%zu packets (%zu runt frames skipped)\n", Packets->size(),
              Runts);
  return 0;
}
