//===- scr-p4.cpp - Emit the Tofino sequencer for a layout ----------------===//
//
// scr-p4 --layout L.json -o DIR [--p4-target tofino|tofino2] [--report]
// Writes DIR/sequencer.p4; --report prints the resource model's plan.
//
//===----------------------------------------------------------------------===//

#include "scrcc/P4Emitter.h"

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

static int usage() {
  std::fprintf(stderr, "usage: scr-p4 --layout L.json -o DIR "
                       "[--p4-target tofino|tofino2] [--report]\n");
  return 2;
}

int main(int argc, char **argv) {
  std::string LayoutPath, OutDir, TargetName = "tofino";
  bool Report = false;
  for (int I = 1; I < argc; ++I) {
    std::string A = argv[I];
    auto Next = [&](std::string &V) {
      if (I + 1 >= argc)
        return false;
      V = argv[++I];
      return true;
    };
    if (A == "--layout") {
      if (!Next(LayoutPath))
        return usage();
    } else if (A == "-o") {
      if (!Next(OutDir))
        return usage();
    } else if (A == "--p4-target") {
      if (!Next(TargetName))
        return usage();
    } else if (A == "--report") {
      Report = true;
    } else {
      std::fprintf(stderr, "scr-p4: error: unknown argument '%s'\n", A.c_str());
      return usage();
    }
  }
  if (LayoutPath.empty() || (OutDir.empty() && !Report))
    return usage();
  const scrp4::TofinoTarget *T = scrp4::targetByName(TargetName);
  if (!T) {
    std::fprintf(stderr,
                 "scr-p4: error: unknown P4 target '%s' (tofino, tofino2)\n",
                 TargetName.c_str());
    return 2;
  }
  std::string Error;
  auto L = scr::Layout::load(LayoutPath, Error);
  if (!L) {
    std::fprintf(stderr, "scr-p4: error: %s\n", Error.c_str());
    return 1;
  }
  if (Report) {
    std::fputs(scrp4::planTofino(*L, *T).str().c_str(), stdout);
    std::fflush(stdout); // before any error on stderr
  }
  if (OutDir.empty())
    return 0;
  std::string P4;
  scrp4::P4Options Opts;
  Opts.Target = T;
  if (!scrp4::emitP4Sequencer(*L, Opts, P4, Error)) {
    std::fprintf(stderr, "scr-p4: error: %s\n", Error.c_str());
    return 1;
  }
  std::error_code EC;
  std::filesystem::create_directories(OutDir, EC);
  std::string Path = OutDir + "/sequencer.p4";
  std::ofstream Out(Path);
  if (!Out || !(Out << P4)) {
    std::fprintf(stderr, "scr-p4: error: cannot write '%s'\n", Path.c_str());
    return 1;
  }
  return 0;
}
