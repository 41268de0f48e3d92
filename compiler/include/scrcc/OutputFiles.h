//===- OutputFiles.h - The names of the files scrcc writes ------*- C++ -*-===//
//
// scrcc writes them and every tool that reads scrcc's output directory finds
// them by these names (docs/cli.md): from the layout's program.source, the
// runtime derives the same program file names scrcc chose.
//
//===----------------------------------------------------------------------===//
#ifndef SCRCC_OUTPUTFILES_H
#define SCRCC_OUTPUTFILES_H

#include <string>

namespace scr {

inline constexpr const char *LayoutFileName = "scr_layout.json";
/// The flags the generated programs compile with, one argument per line
/// (the format of clangd's compile_flags.txt).
inline constexpr const char *CompileFlagsFileName = "compile_flags.txt";

/// The input's file name without its directory and its `.bpf.c` or `.c`
/// suffix: "dir/a.bpf.c" -> "a", "b.c" -> "b", "c.h" -> "c.h".
std::string programStem(const std::string &Source);
/// <stem>.scr.bpf.c: the SCR program for \p Source.
std::string scrProgramFileName(const std::string &Source);
/// <stem>.ref.bpf.c: the reference variant for \p Source.
std::string refProgramFileName(const std::string &Source);

} // namespace scr

#endif
