//===- ScrOutput.cpp - The files scrcc writes for one program -------------===//

#include "scrrt/ScrOutput.h"
#include "scrcc/OutputFiles.h"

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace scrrt {

std::optional<std::vector<std::string>>
readCompileFlags(const std::string &Path, std::string &Error) {
  std::vector<std::string> Flags;
  if (!fs::exists(Path))
    return Flags;
  std::ifstream In(Path);
  if (!In) {
    Error = "cannot read '" + Path + "'";
    return std::nullopt;
  }
  for (std::string Line; std::getline(In, Line);) {
    if (!Line.empty() && Line.back() == '\r')
      Line.pop_back();
    if (!Line.empty())
      Flags.push_back(Line);
  }
  return Flags;
}

std::optional<ScrOutput> ScrOutput::open(const std::string &Dir,
                                         std::string &Error) {
  if (!fs::is_directory(Dir)) {
    Error = "'" + Dir + "' is not a directory (expected scrcc's output)";
    return std::nullopt;
  }
  auto L =
      scr::Layout::load((fs::path(Dir) / scr::LayoutFileName).string(), Error);
  if (!L)
    return std::nullopt;
  ScrOutput O;
  O.Dir = Dir;
  O.Stem = scr::programStem(L->Source);
  if (O.Stem.empty()) {
    Error = Dir + "/scr_layout.json: program.source is empty";
    return std::nullopt;
  }
  if (L->Entry.empty()) {
    Error = Dir + "/scr_layout.json: program.entry is empty";
    return std::nullopt;
  }
  O.ScrProgram = (fs::path(Dir) / scr::scrProgramFileName(L->Source)).string();
  O.RefProgram = (fs::path(Dir) / scr::refProgramFileName(L->Source)).string();
  // An object compiled from the current source is used as is: replaying
  // many traces then compiles the program once.
  for (std::string *Prog : {&O.ScrProgram, &O.RefProgram}) {
    fs::path Obj = fs::path(*Prog).replace_extension(".o");
    std::error_code EC1, EC2;
    if (fs::exists(Obj) && fs::exists(*Prog) &&
        fs::last_write_time(Obj, EC1) >= fs::last_write_time(*Prog, EC2) &&
        !EC1 && !EC2)
      *Prog = Obj.string();
  }
  if (!fs::exists(O.ScrProgram)) {
    Error = "no SCR program '" + O.ScrProgram + "'";
    return std::nullopt;
  }
  auto Flags = readCompileFlags(
      (fs::path(Dir) / scr::CompileFlagsFileName).string(), Error);
  if (!Flags)
    return std::nullopt;
  O.CompileFlags = std::move(*Flags);
  O.Layout = std::move(*L);
  return O;
}

} // namespace scrrt
