//===- CommandLine.h - Small LLVM-style option parsing for tools -*- C++
//-*-===//
//
// The runtime tools accept "--name value", "--name=value" and "-x value",
// and report problems as "TOOL: error: ..." with a non-zero exit.
//
//===----------------------------------------------------------------------===//
#ifndef SCRRT_COMMANDLINE_H
#define SCRRT_COMMANDLINE_H

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace scrrt {

/// The scrcc release the runtime tools report with --version.
inline constexpr const char *ScrccVersion = "0.1.0";

class CommandLine {
public:
  CommandLine(const char *Tool, int Argc, char **Argv);

  /// Advances to the next argument; false when there are none left.
  bool next();
  /// The current argument as written (for "unknown option" errors).
  const std::string &current() const { return Current; }
  /// Whether the current argument is option \p Name (with or without "=v").
  bool is(const char *Name) const;
  /// The current option's value: after '=' or the next argument. Exits with
  /// an error if there is none.
  std::string value();
  /// The value as an unsigned integer (decimal or 0x hex); exits on error.
  uint64_t unsignedValue(uint64_t Max = UINT64_MAX);

  /// Prints "TOOL: error: MSG" and exits with status 1.
  [[noreturn]] void fail(const std::string &Msg) const;
  /// Prints "TOOL: warning: MSG" / "TOOL: note: MSG".
  void warn(const std::string &Msg) const;
  void note(const std::string &Msg) const;
  const char *tool() const { return Tool; }

private:
  const char *Tool;
  std::vector<std::string> Args;
  size_t Pos = 0;
  std::string Current;
};

/// Parses a decimal or 0x-prefixed unsigned integer (whole string).
std::optional<uint64_t> parseUnsigned(const std::string &S);

} // namespace scrrt

#endif
