//===- scr-p4.cpp - Emit the Tofino sequencer for a layout ----------------===//
//
// scr-p4 --layout L.json -o DIR [--p4-target tofino|tofino2] [--report]
// Writes DIR/sequencer.p4; --report prints the resource model's plan.
//
//===----------------------------------------------------------------------===//

#include "scrcc/P4Emitter.h"
#include "scrcli/Options.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

int main(int Argc, char **Argv) {
  std::string LayoutPath, OutDir, TargetName = "tofino";
  bool Report = false;
  scrcli::Options CL({"scr-p4",
                      "the Tofino (TNA) sequencer of a layout",
                      {"--layout L.json -o DIR [--p4-target tofino|tofino2] "
                       "[--report]",
                       "--layout L.json --report"},
                      "Writes DIR/sequencer.p4; --report prints the resource "
                      "model's plan.",
                      {}});
  CL.addString("layout", "L.json", "scr_layout.json written by scrcc",
               LayoutPath);
  CL.addString("o", "DIR", "output directory (DIR/sequencer.p4)", OutDir);
  CL.addChoice("p4-target", "the switch (default tofino)",
               {"tofino", "tofino2"}, TargetName);
  CL.addFlag("report", "print the resource model's plan", Report);
  if (auto Exit = CL.parse(Argc, Argv))
    return *Exit;
  if (LayoutPath.empty())
    CL.usageError("no layout given (use --layout L.json)");
  if (OutDir.empty() && !Report)
    CL.usageError("no output directory given (use -o DIR, or --report)");
  const scrp4::TofinoTarget *T = scrp4::targetByName(TargetName);
  std::string Error;
  auto L = scr::Layout::load(LayoutPath, Error);
  if (!L)
    return CL.error(Error);
  if (Report) {
    std::fputs(scrp4::planTofino(*L, *T).str().c_str(), stdout);
    std::fflush(stdout); // before any error on stderr
  }
  if (OutDir.empty())
    return 0;
  std::string P4;
  scrp4::P4Options Opts;
  Opts.Target = T;
  if (!scrp4::emitP4Sequencer(*L, Opts, P4, Error))
    return CL.error(Error);
  std::error_code EC;
  std::filesystem::create_directories(OutDir, EC);
  std::string Path = OutDir + "/sequencer.p4";
  std::ofstream Out(Path);
  if (!Out || !(Out << P4))
    return CL.error("cannot write '" + Path + "'");
  return 0;
}
