//===- OutputFilesTest.cpp - The names of the files scrcc writes ----------===//

#include "scrcc/OutputFiles.h"

#include <gtest/gtest.h>

namespace {

TEST(OutputFiles, StemDropsTheDirectoryAndTheCSuffix) {
  EXPECT_EQ(scr::programStem("examples/portknock.bpf.c"), "portknock");
  EXPECT_EQ(scr::programStem("/abs/dir/fw.c"), "fw");
  EXPECT_EQ(scr::programStem("prog.bpf.c"), "prog");
  // Only a whole suffix after a non-empty name counts.
  EXPECT_EQ(scr::programStem("dir/.c"), ".c");
  EXPECT_EQ(scr::programStem("a.bpf.cc"), "a.bpf.cc");
  EXPECT_EQ(scr::programStem("x.h"), "x.h");
}

TEST(OutputFiles, ProgramNamesFollowTheStem) {
  EXPECT_EQ(scr::scrProgramFileName("src/lb.bpf.c"), "lb.scr.bpf.c");
  EXPECT_EQ(scr::refProgramFileName("src/lb.c"), "lb.ref.bpf.c");
}

} // namespace
