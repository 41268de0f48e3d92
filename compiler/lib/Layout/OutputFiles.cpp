//===- OutputFiles.cpp - The names of the files scrcc writes --------------===//

#include "scrcc/OutputFiles.h"

namespace scr {

std::string programStem(const std::string &Source) {
  size_t Slash = Source.find_last_of('/');
  std::string Name =
      Slash == std::string::npos ? Source : Source.substr(Slash + 1);
  for (const std::string Suffix : {".bpf.c", ".c"})
    if (Name.size() > Suffix.size() &&
        Name.compare(Name.size() - Suffix.size(), Suffix.size(), Suffix) == 0)
      return Name.substr(0, Name.size() - Suffix.size());
  return Name;
}

std::string scrProgramFileName(const std::string &Source) {
  return programStem(Source) + ".scr.bpf.c";
}

std::string refProgramFileName(const std::string &Source) {
  return programStem(Source) + ".ref.bpf.c";
}

} // namespace scr
