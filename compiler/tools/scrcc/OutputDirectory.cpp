//===- OutputDirectory.cpp - scrcc's outputs, written as one directory ----===//

#include "OutputDirectory.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sys/stat.h>

namespace fs = std::filesystem;

namespace scrcc {

namespace {

bool endsWith(const std::string &S, const std::string &Suffix) {
  return S.size() > Suffix.size() &&
         S.compare(S.size() - Suffix.size(), Suffix.size(), Suffix) == 0;
}

std::string quotedPath(const fs::path &P) { return "'" + P.string() + "'"; }

/// A fresh empty directory beside \p Dir (same file system, so that it
/// can be renamed onto \p Dir).
bool makeSibling(const fs::path &Dir, const char *Role, fs::path &Out,
                 std::string &Err) {
  fs::path Parent = Dir.parent_path();
  std::string Tmpl =
      (Parent / ("." + Dir.filename().string() + "." + Role + "-XXXXXX"))
          .string();
  if (!mkdtemp(Tmpl.data())) {
    Err = "cannot create a directory beside " + quotedPath(Dir) + ": " +
          std::strerror(errno);
    return false;
  }
  Out = Tmpl;
  return true;
}

/// Exchanges the names \p A and \p B (both exist): atomically where the
/// file system can, else with a third name in between.
bool exchange(const fs::path &A, const fs::path &B, std::string &Err) {
  if (renameat2(AT_FDCWD, A.c_str(), AT_FDCWD, B.c_str(), RENAME_EXCHANGE) == 0)
    return true;
  fs::path Aside;
  if (!makeSibling(B, "old", Aside, Err))
    return false;
  std::error_code EC;
  fs::rename(B, Aside, EC); // replaces the empty Aside
  if (!EC) {
    fs::rename(A, B, EC);
    if (!EC) {
      fs::rename(Aside, A, EC);
      if (EC)
        Err = "cannot move " + quotedPath(Aside) + ": " + EC.message();
      return !EC;
    }
    std::error_code Ignored;
    fs::rename(Aside, B, Ignored);
  }
  fs::remove(Aside, EC);
  Err = "cannot replace " + quotedPath(B) + ": " + EC.message();
  return false;
}

bool writeFile(const fs::path &P, const std::string &Text, std::string &Err) {
  std::ofstream O(P, std::ios::binary);
  O << Text;
  O.close();
  if (!O) {
    Err = "cannot write " + quotedPath(P);
    return false;
  }
  return true;
}

/// Moves every entry of \p From that scrcc does not write into \p To.
bool carryOverUserEntries(const fs::path &From, const fs::path &To,
                          std::vector<std::string> &Moved, std::string &Err) {
  std::error_code EC;
  for (const fs::directory_entry &E : fs::directory_iterator(From, EC)) {
    std::string Name = E.path().filename().string();
    if (isScrccOutputName(Name))
      continue;
    fs::rename(E.path(), To / Name, EC);
    if (EC) {
      Err = "cannot move " + quotedPath(E.path()) +
            " into the new output "
            "directory: " +
            EC.message();
      return false;
    }
    Moved.push_back(Name);
  }
  if (EC) {
    Err = "cannot read " + quotedPath(From) + ": " + EC.message();
    return false;
  }
  return true;
}

/// Whether the working directory is \p Dir or inside it: a shell sitting
/// there would be left in a removed directory by a swap.
bool holdsWorkingDirectory(const fs::path &Dir) {
  std::error_code EC;
  fs::path Cwd = fs::current_path(EC), D = fs::weakly_canonical(Dir, EC);
  for (fs::path P = Cwd; !P.empty(); P = P.parent_path()) {
    if (P == D)
      return true;
    if (P == P.parent_path())
      break;
  }
  return false;
}

/// The fallback when \p Dir cannot be swapped: each output written beside
/// its final name and renamed over it, then the previous run's outputs
/// that this run does not write removed.
bool replaceInPlace(
    const fs::path &Dir,
    const std::vector<std::pair<std::string, std::string>> &Files,
    std::string &Err) {
  std::error_code EC;
  std::vector<std::string> Stale;
  for (const fs::directory_entry &E : fs::directory_iterator(Dir, EC)) {
    std::string Name = E.path().filename().string();
    bool Written = false;
    for (const auto &F : Files)
      Written |= F.first == Name;
    if (isScrccOutputName(Name) && !Written)
      Stale.push_back(Name);
  }
  for (const auto &[Name, Text] : Files) {
    fs::path Tmp = Dir / ("." + Name + ".scrcc-tmp");
    if (!writeFile(Tmp, Text, Err))
      return false;
    fs::rename(Tmp, Dir / Name, EC);
    if (EC) {
      fs::remove(Tmp, EC);
      Err = "cannot write " + quotedPath(Dir / Name);
      return false;
    }
  }
  for (const std::string &Name : Stale)
    fs::remove_all(Dir / Name, EC);
  return true;
}

} // namespace

bool isScrccOutputName(const std::string &Name) {
  std::string N = endsWith(Name, ".tmp") ? Name.substr(0, Name.size() - 4)
                                         : Name; // an earlier scrcc's
  for (const char *Fixed : {"scr_layout.json", "compile_flags.txt",
                            "sequencer.p4", "sequencer.v", "sequencer.f"})
    if (N == Fixed)
      return true;
  if (endsWith(N, ".scr.bpf.c") || endsWith(N, ".ref.bpf.c"))
    return true;
  // The Verilog library modules (targets/verilog/rtl).
  return N.rfind("scr_", 0) == 0 && endsWith(N, ".v");
}

bool replaceOutputDirectory(
    const std::string &DirName,
    const std::vector<std::pair<std::string, std::string>> &Files,
    std::string &Err) {
  fs::path Dir = fs::absolute(fs::path(DirName)).lexically_normal();
  if (!Dir.has_filename()) // "out/" normalises to "out/" + ""
    Dir = Dir.parent_path();
  std::error_code EC;
  fs::file_status St = fs::symlink_status(Dir, EC);
  bool Exists = fs::exists(St);
  if (fs::is_symlink(St)) { // replace what it points to, keep the link
    Dir = fs::canonical(Dir, EC);
    St = fs::status(Dir, EC);
  }
  if (Exists && !fs::is_directory(St)) {
    Err = "cannot create " + quotedPath(DirName) + ": not a directory";
    return false;
  }
  fs::create_directories(Dir.parent_path(), EC);
  if (EC) {
    Err = "cannot create " + quotedPath(DirName) + ": " + EC.message();
    return false;
  }

  if (Exists && holdsWorkingDirectory(Dir))
    return replaceInPlace(Dir, Files, Err);

  fs::path New;
  if (!makeSibling(Dir, "new", New, Err))
    return false;
  auto Fail = [&](const std::string &Why) {
    std::error_code Ignored;
    fs::remove_all(New, Ignored);
    Err = Why;
    return false;
  };
  // mkdtemp makes it private; the outputs get what a new directory gets.
  mode_t Umask = umask(0);
  umask(Umask);
  fs::perms Mode = Exists ? St.permissions() : fs::perms(0777 & ~Umask);
  fs::permissions(New, Mode, EC);
  for (const auto &[Name, Text] : Files)
    if (!writeFile(New / Name, Text, Err))
      return Fail(Err);
  if (!Exists) {
    fs::rename(New, Dir, EC);
    if (EC)
      return Fail("cannot create " + quotedPath(DirName) + ": " + EC.message());
    return true;
  }

  std::vector<std::string> Moved;
  if (!carryOverUserEntries(Dir, New, Moved, Err) || !exchange(New, Dir, Err)) {
    std::string Why = Err;
    for (const std::string &Name : Moved) // put the user's files back
      fs::rename(New / Name, Dir / Name, EC);
    return Fail(Why);
  }
  // New now holds the previous run's outputs.
  fs::remove_all(New, EC);
  return true;
}

} // namespace scrcc
