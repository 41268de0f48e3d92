//===- BpfTarget.cpp - How every BPF program of the project compiles ------===//

#include "scrcc/BpfTarget.h"

#ifndef SCRCC_BPF_MULTIARCH_INCLUDE_DIR
#error "the build defines SCRCC_BPF_MULTIARCH_INCLUDE_DIR (CMakeLists.txt)"
#endif

namespace scr {

const std::string &bpfMultiarchIncludeDir() {
  static const std::string Dir = SCRCC_BPF_MULTIARCH_INCLUDE_DIR;
  return Dir;
}

std::vector<std::string> bpfTargetFlags() {
  return {"--target=bpf", "-I" + bpfMultiarchIncludeDir()};
}

} // namespace scr
