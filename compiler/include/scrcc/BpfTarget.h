//===- BpfTarget.h - How every BPF program of the project compiles -*- C++ -*-//
//
// scrcc parses its input with these flags, records them in compile_flags.txt
// for the programs it writes, and the runtime compiles those programs with
// them: one list, so that what scrcc analysed is what the kernel loads.
//
//===----------------------------------------------------------------------===//
#ifndef SCRCC_BPFTARGET_H
#define SCRCC_BPFTARGET_H

#include <string>
#include <vector>

namespace scr {

/// The build machine's multiarch include directory (e.g.
/// /usr/include/aarch64-linux-gnu): <linux/bpf.h> includes <asm/types.h>,
/// which lives there. Found when the project is configured (CMake's
/// CMAKE_LIBRARY_ARCHITECTURE, else `gcc -print-multiarch`).
const std::string &bpfMultiarchIncludeDir();

/// {"--target=bpf", "-I<multiarch include dir>"}: the flags every BPF
/// compile of an input or a generated program starts with.
std::vector<std::string> bpfTargetFlags();

} // namespace scr

#endif
