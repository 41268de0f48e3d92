//===- scr-verilog.cpp - Generate the Verilog sequencer from a layout -----===//
//
//   scr-verilog --layout scr_layout.json -o DIR [--data-width 1024]
//               [--cores K] [--max-head-bytes 128] [--ring auto|ram|ff]
//
// Writes the design into DIR: sequencer.v (the layout's modules), the
// library modules of targets/verilog/rtl one file each, and sequencer.f
// listing them in compile order. --cores resizes the history to K-1 entries (as
// scrcc --cores does), for testing one layout at several core counts.
// --ring chooses where the history ring lives (default: by its size).
//
//===----------------------------------------------------------------------===//

#include "scrcc/VerilogEmitter.h"
#include "scrcli/Options.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

int main(int Argc, char **Argv) {
  std::string LayoutPath, OutDir, Ring = "auto";
  scr::VerilogOptions O;
  unsigned Cores = 0;
  scrcli::Options CL({"scr-verilog",
                      "the AXI4-Stream Verilog sequencer of a layout",
                      {"--layout L.json -o DIR [--data-width N] [--cores K] "
                       "[--max-head-bytes B] [--ring auto|ram|ff]"},
                      "Writes DIR/sequencer.v (docs/verilog.md).",
                      {}});
  CL.addString("layout", "L.json", "scr_layout.json written by scrcc",
               LayoutPath);
  CL.addString("o", "DIR", "output directory (DIR/sequencer.v)", OutDir);
  CL.addNumber("data-width", "N", "AXI4-Stream data bus width in bits",
               O.DataWidth, 1, 1u << 20);
  CL.addNumber("cores", "K",
               "resize the history to K-1 entries, as scrcc --cores does",
               Cores, 1, scr::MaxCores);
  CL.addNumber("max-head-bytes", "B",
               "bytes of the packet head the sequencer reads fields from",
               O.MaxHeadBytes, 1, 1u << 20);
  CL.addChoice("ring", "where the history ring lives (default: by its size)",
               {"auto", "ram", "ff"}, Ring);
  if (auto Exit = CL.parse(Argc, Argv))
    return *Exit;
  if (LayoutPath.empty())
    CL.usageError("no layout given (use --layout L.json)");
  if (OutDir.empty())
    CL.usageError("no output directory given (use -o DIR)");
  O.Ring = Ring == "ram"  ? scr::VerilogOptions::RingStyle::BlockRam
           : Ring == "ff" ? scr::VerilogOptions::RingStyle::FlipFlops
                          : scr::VerilogOptions::RingStyle::Auto;
  std::string Error;
  auto L = scr::Layout::load(LayoutPath, Error);
  if (!L) {
    return CL.error(Error);
  }
  if (Cores) {
    if (!L->setCores(Cores, Error)) {
      return CL.error("--cores " + std::to_string(Cores) + ": " + Error);
    }
  }
  scr::VerilogFiles Files;
  if (!scr::emitVerilogDesign(*L, O, Files, Error))
    return CL.error(LayoutPath + ": " + Error);
  std::error_code EC;
  std::filesystem::create_directories(OutDir, EC);
  for (const auto &[Name, Text] : Files) {
    std::string Path = OutDir + "/" + Name;
    std::ofstream Out(Path);
    if (!Out || !(Out << Text) || !Out.flush())
      return CL.error("cannot write '" + Path + "'");
  }
  return 0;
}
