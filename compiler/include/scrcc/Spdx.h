//===- Spdx.h - The license line generated files start with -----*- C++ -*-===//
//
// Every generated source starts with its SPDX-License-Identifier line, as
// the kernel's and libbpf's sources do, so that license scanners and
// vendor tools read it where they look.
//
//===----------------------------------------------------------------------===//
#ifndef SCRCC_SPDX_H
#define SCRCC_SPDX_H

#include <string>

namespace scr {

/// The license of what scrcc generates from its own templates (the P4 and
/// Verilog sequencers), as bpftool's generated skeletons.
inline constexpr const char *GeneratedCodeLicense =
    "(LGPL-2.1 OR BSD-2-Clause)";

/// The first line of a generated P4 or Verilog file.
inline std::string spdxLine() {
  return std::string("// SPDX-License-Identifier: ") + GeneratedCodeLicense +
         "\n";
}

/// A program derived from the user's keeps the user's license: if \p Text
/// starts with an SPDX line, removes that line from \p Text and returns it
/// (to go first in the derived file); else returns "".
inline std::string takeLeadingSpdxLine(std::string &Text) {
  size_t End = Text.find('\n');
  std::string First = Text.substr(0, End);
  if (First.find("SPDX-License-Identifier:") == std::string::npos)
    return "";
  Text.erase(0, End == std::string::npos ? End : End + 1);
  return First + "\n";
}

} // namespace scr

#endif
