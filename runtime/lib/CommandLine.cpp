//===- CommandLine.cpp - Small LLVM-style option parsing for tools
//---------===//

#include "scrrt/CommandLine.h"

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace scrrt {

CommandLine::CommandLine(const char *Tool, int Argc, char **Argv)
    : Tool(Tool), Args(Argv + 1, Argv + Argc) {}

bool CommandLine::next() {
  if (Pos >= Args.size())
    return false;
  Current = Args[Pos++];
  return true;
}

bool CommandLine::is(const char *Name) const {
  size_t N = std::strlen(Name);
  return Current.compare(0, N, Name) == 0 &&
         (Current.size() == N || Current[N] == '=');
}

std::string CommandLine::value() {
  size_t Eq = Current.find('=');
  if (Current.rfind("--", 0) == 0 && Eq != std::string::npos)
    return Current.substr(Eq + 1);
  if (Pos >= Args.size())
    fail("option '" + Current + "' needs a value");
  return Args[Pos++];
}

uint64_t CommandLine::unsignedValue(uint64_t Max) {
  std::string Opt = Current.substr(0, Current.find('='));
  std::string V = value();
  auto N = parseUnsigned(V);
  if (!N || *N > Max)
    fail("option '" + Opt + "': '" + V + "' is not an unsigned integer" +
         (Max != UINT64_MAX ? " <= " + std::to_string(Max) : ""));
  return *N;
}

void CommandLine::fail(const std::string &Msg) const {
  std::fprintf(stderr, "%s: error: %s\n", Tool, Msg.c_str());
  std::exit(1);
}

void CommandLine::warn(const std::string &Msg) const {
  std::fprintf(stderr, "%s: warning: %s\n", Tool, Msg.c_str());
}

void CommandLine::note(const std::string &Msg) const {
  std::fprintf(stderr, "%s: note: %s\n", Tool, Msg.c_str());
}

std::optional<uint64_t> parseUnsigned(const std::string &S) {
  if (S.empty() || S[0] == '-' || S[0] == '+' ||
      std::isspace((unsigned char)S[0]))
    return std::nullopt;
  errno = 0;
  char *End = nullptr;
  bool Hex = S.size() > 2 && S[0] == '0' && (S[1] == 'x' || S[1] == 'X');
  // Base 10 otherwise: a leading zero must not silently mean octal.
  unsigned long long V = std::strtoull(S.c_str(), &End, Hex ? 16 : 10);
  if (errno || *End)
    return std::nullopt;
  return V;
}

} // namespace scrrt
