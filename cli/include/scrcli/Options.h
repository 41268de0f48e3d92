//===- Options.h - The one option parser of every scrcc tool ----*- C++ -*-===//
//
// Every tool declares its options in one table (names, value, help) and
// gets the same behaviour: `--name value`, `--name=value`, `-name value`;
// `--help` and `--version` on standard output with status 0; problems as
// `TOOL: error: ...` on standard error, status 2 for a bad command line
// (unknown option, missing or bad value, number out of range) and 1 for
// anything that goes wrong afterwards. Numbers are whole strings, decimal
// or 0x hex, and an error says the range they must be in.
//
//===----------------------------------------------------------------------===//
#ifndef SCRCLI_OPTIONS_H
#define SCRCLI_OPTIONS_H

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace scrcli {

/// Exit statuses shared by the tools.
enum ExitStatus : int { ExitOk = 0, ExitError = 1, ExitUsage = 2 };

/// The project's version (CMake's PROJECT_VERSION), which --version prints.
const char *version();

/// Parses a whole string as a decimal or 0x-prefixed unsigned integer.
std::optional<uint64_t> parseUnsigned(const std::string &S);

/// What --help and --version say about a tool.
struct ToolInfo {
  std::string Name;                     // e.g. "scr-trace"
  std::string Overview;                 // one line
  std::vector<std::string> Usage;       // each printed after the name
  std::string Details;                  // text after the option list
  std::vector<std::string> VersionInfo; // lines after "NAME (scrcc) VERSION"
};

/// One entry of the table. Returned by the Options::add* functions so that
/// a declaration can say more (`.onlyIn({"load"})`).
class Option {
public:
  /// The option is valid only after these commands (Options::commands).
  Option &onlyIn(std::vector<std::string> Commands);
  /// Left out of --help (an option that is gone and says so).
  Option &hidden();
  /// How often it was given.
  unsigned count() const { return Count; }

private:
  friend class Options;
  std::vector<std::string> Names; // without dashes: "o", "output"
  bool SingleDash = false;        // spelled -Werror, not --Werror
  std::string Meta;               // value placeholder; empty for a flag
  std::string Help;
  std::vector<std::string> Commands;
  bool Hidden = false;
  /// Applies a value (flags get ""); returns an error message or "".
  std::function<std::string(const std::string &)> Apply;
  unsigned Count = 0;
};

class Options {
public:
  explicit Options(ToolInfo Info);
  ~Options();

  /// NAMES is "o,output" (one letter: -o; longer: --output; a leading
  /// dash, "-Werror", spells every name with one dash).
  Option &addFlag(const std::string &Names, const std::string &Help, bool &Out);
  Option &addString(const std::string &Names, const std::string &Meta,
                    const std::string &Help, std::string &Out);
  /// Repeatable: every occurrence appends.
  Option &addList(const std::string &Names, const std::string &Meta,
                  const std::string &Help, std::vector<std::string> &Out);
  /// An unsigned integer in Lo..Hi; \p Why follows the range in the error.
  Option &addNumber(const std::string &Names, const std::string &Meta,
                    const std::string &Help, uint64_t &Out, uint64_t Lo,
                    uint64_t Hi, const std::string &Why = "");
  Option &addNumber(const std::string &Names, const std::string &Meta,
                    const std::string &Help, unsigned &Out, unsigned Lo,
                    unsigned Hi, const std::string &Why = "");
  /// One of \p Choices (the value placeholder lists them).
  Option &addChoice(const std::string &Names, const std::string &Help,
                    std::vector<std::string> Choices, std::string &Out);
  /// Anything else: \p Apply checks and stores the value, and returns an
  /// error message (without the option's name) or "".
  Option &addCustom(const std::string &Names, const std::string &Meta,
                    const std::string &Help,
                    std::function<std::string(const std::string &)> Apply);

  /// The tool's first argument names a command (e.g. `scr-replica load`).
  void commands(std::vector<std::pair<std::string, std::string>> List,
                std::string &Out);
  /// Arguments that are not options, in order (e.g. INPUT.bpf.c).
  void positionals(const std::string &Meta, std::vector<std::string> &Out,
                   size_t Max = SIZE_MAX);
  /// Everything after `--` (e.g. Clang flags); without this, `--` ends
  /// the options and what follows are positionals.
  void passthrough(const std::string &Meta, std::vector<std::string> &Out);

  /// Parses the command line. Returns the status to exit with when the
  /// tool must stop now: 0 after --help or --version, 2 after an error
  /// (already printed).
  std::optional<int> parse(int Argc, const char *const *Argv);

  /// Whether the option named \p Name (without dashes) was given.
  bool given(const std::string &Name) const;

  /// `TOOL: error: MSG` and a hint to --help; exits with status 2.
  [[noreturn]] void usageError(const std::string &Msg) const;
  /// `TOOL: error: MSG`; exits with \p Status (default 1).
  [[noreturn]] void fail(const std::string &Msg, int Status = ExitError) const;
  /// `TOOL: error: MSG`, returning \p Status (for a main that returns).
  int error(const std::string &Msg, int Status = ExitError) const;
  void warn(const std::string &Msg) const;
  void note(const std::string &Msg) const;
  const std::string &tool() const;

  /// The --help text (for the current command, if any).
  std::string helpText() const;

private:
  struct Impl;
  std::unique_ptr<Impl> I;
};

} // namespace scrcli

#endif
