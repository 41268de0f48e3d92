//===- scr-verilog.cpp - Generate the Verilog sequencer from a layout -----===//
//
//   scr-verilog --layout scr_layout.json -o DIR [--data-width 1024]
//               [--cores K] [--max-head-bytes 128] [--ring auto|ram|ff]
//
// Writes DIR/sequencer.v. --cores resizes the history to K-1 entries (as
// scrcc --cores does), for testing one layout at several core counts.
// --ring chooses where the history ring lives (default: by its size).
//
//===----------------------------------------------------------------------===//

#include "scrcc/VerilogEmitter.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace {
void usage() {
  std::fprintf(stderr,
               "usage: scr-verilog --layout L.json -o DIR [--data-width N] "
               "[--cores K] [--max-head-bytes B] [--ring auto|ram|ff]\n");
}

bool parseUnsigned(const char *S, unsigned &V) {
  char *End = nullptr;
  unsigned long X = std::strtoul(S, &End, 10);
  if (!*S || *End || X > 1u << 20)
    return false;
  V = unsigned(X);
  return true;
}
} // namespace

int main(int Argc, char **Argv) {
  std::string LayoutPath, OutDir;
  scr::VerilogOptions O;
  unsigned Cores = 0;
  for (int I = 1; I < Argc; ++I) {
    std::string A = Argv[I];
    auto Value = [&]() -> const char * {
      if (I + 1 >= Argc) {
        std::fprintf(stderr, "scr-verilog: %s needs a value\n", A.c_str());
        std::exit(2);
      }
      return Argv[++I];
    };
    auto Number = [&](unsigned &V) {
      const char *S = Value();
      if (!parseUnsigned(S, V)) {
        std::fprintf(stderr, "scr-verilog: %s: '%s' is not a number\n",
                     A.c_str(), S);
        std::exit(2);
      }
    };
    if (A == "--layout")
      LayoutPath = Value();
    else if (A == "-o")
      OutDir = Value();
    else if (A == "--data-width")
      Number(O.DataWidth);
    else if (A == "--cores")
      Number(Cores);
    else if (A == "--max-head-bytes")
      Number(O.MaxHeadBytes);
    else if (A == "--ring") {
      std::string R = Value();
      if (R == "auto")
        O.Ring = scr::VerilogOptions::RingStyle::Auto;
      else if (R == "ram")
        O.Ring = scr::VerilogOptions::RingStyle::BlockRam;
      else if (R == "ff")
        O.Ring = scr::VerilogOptions::RingStyle::FlipFlops;
      else {
        std::fprintf(stderr,
                     "scr-verilog: --ring: '%s' is not auto, ram or ff\n",
                     R.c_str());
        return 2;
      }
    } else {
      std::fprintf(stderr, "scr-verilog: unknown argument '%s'\n", A.c_str());
      usage();
      return 2;
    }
  }
  if (LayoutPath.empty() || OutDir.empty()) {
    usage();
    return 2;
  }
  std::string Error;
  auto L = scr::Layout::load(LayoutPath, Error);
  if (!L) {
    std::fprintf(stderr, "scr-verilog: error: %s\n", Error.c_str());
    return 1;
  }
  if (Cores) {
    if (!L->setCores(Cores, Error)) {
      std::fprintf(stderr, "scr-verilog: error: --cores %u: %s\n", Cores,
                   Error.c_str());
      return 1;
    }
  }
  std::string Text;
  if (!scr::emitVerilogSequencer(*L, O, Text, Error)) {
    std::fprintf(stderr, "scr-verilog: error: %s: %s\n", LayoutPath.c_str(),
                 Error.c_str());
    return 1;
  }
  std::error_code EC;
  std::filesystem::create_directories(OutDir, EC);
  std::string Path = OutDir + "/sequencer.v";
  std::ofstream Out(Path);
  if (!Out || !(Out << Text) || !Out.flush()) {
    std::fprintf(stderr, "scr-verilog: error: cannot write '%s'\n",
                 Path.c_str());
    return 1;
  }
  return 0;
}
