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

#include "scrrt/CommandLine.h"
#include "scrrt/Pcap.h"
#include "scrrt/Sequencer.h"

#include <cstdio>
#include <cstdlib>
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
  for (int I = 1; I < Argc; ++I) {
    std::string A = Argv[I];
    if (I + 1 >= Argc) {
      std::fprintf(stderr, "scr-verilog-vectors: %s needs a value\n",
                   A.c_str());
      return 2;
    }
    std::string V = Argv[++I];
    if (A == "--layout")
      LayoutPath = V;
    else if (A == "-i")
      In = V;
    else if (A == "--stim")
      Stim = V;
    else if (A == "--expect")
      Expect = V;
    else if (A == "--cores") {
      auto K = scrrt::parseUnsigned(V);
      if (!K || *K < 1 || *K > scr::MaxCores) {
        std::fprintf(stderr,
                     "scr-verilog-vectors: error: --cores: '%s' is not a "
                     "number of cores (1..%u)\n",
                     V.c_str(), scr::MaxCores);
        return 2;
      }
      Cores = unsigned(*K);
    } else {
      std::fprintf(stderr, "scr-verilog-vectors: unknown argument '%s'\n",
                   A.c_str());
      return 2;
    }
  }
  if (LayoutPath.empty() || In.empty() || Stim.empty() || Expect.empty()) {
    std::fprintf(stderr, "usage: scr-verilog-vectors --layout L.json -i "
                         "T.pcap --stim S.hex --expect E.hex [--cores K]\n");
    return 2;
  }
  std::string Error;
  auto L = scr::Layout::load(LayoutPath, Error);
  if (!L) {
    std::fprintf(stderr, "scr-verilog-vectors: error: %s\n", Error.c_str());
    return 1;
  }
  if (Cores && !L->setCores(Cores, Error)) {
    std::fprintf(stderr, "scr-verilog-vectors: error: --cores %u: %s\n", Cores,
                 Error.c_str());
    return 1;
  }
  auto Packets = scrrt::readPcap(In, Error);
  if (!Packets) {
    std::fprintf(stderr, "scr-verilog-vectors: error: %s\n", Error.c_str());
    return 1;
  }
  size_t Runts = scrrt::dropRuntFrames(*Packets);
  scrrt::Sequencer Seq(*L);
  HexWriter S, E;
  S.put(Packets->size(), 4);
  E.put(Packets->size(), 4);
  for (const scrrt::Packet &P : *Packets) {
    if (P.Data.size() > 65535) {
      std::fprintf(stderr,
                   "scr-verilog-vectors: error: %s: frame of %zu "
                   "bytes is too long\n",
                   In.c_str(), P.Data.size());
      return 1;
    }
    scrrt::Sequencer::Frame F = Seq.next(P);
    S.put(P.Data.size(), 2);
    S.put(P.TimestampNs, 8);
    S.bytes(P.Data);
    E.put(F.Bytes.size(), 2);
    E.bytes(F.Bytes);
  }
  if (!S.save(Stim) || !E.save(Expect)) {
    std::fprintf(stderr, "scr-verilog-vectors: error: cannot write vectors\n");
    return 1;
  }
  std::printf("%zu packets (%zu runt frames skipped)\n", Packets->size(),
              Runts);
  return 0;
}
