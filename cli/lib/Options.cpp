//===- Options.cpp - The one option parser of every scrcc tool ------------===//

#include "scrcli/Options.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>

#ifndef SCRCLI_VERSION
#error "SCRCLI_VERSION must be the project version"
#endif

namespace scrcli {

const char *version() { return SCRCLI_VERSION; }

std::optional<uint64_t> parseUnsigned(const std::string &S) {
  if (S.empty() || !std::isdigit((unsigned char)S[0]))
    return std::nullopt;
  bool Hex = S.size() > 2 && S[0] == '0' && (S[1] == 'x' || S[1] == 'X');
  if (Hex && !std::isxdigit((unsigned char)S[2]))
    return std::nullopt;
  errno = 0;
  char *End = nullptr;
  // Base 10 otherwise: a leading zero must not silently mean octal.
  unsigned long long V = std::strtoull(S.c_str(), &End, Hex ? 16 : 10);
  if (errno || *End)
    return std::nullopt;
  return V;
}

Option &Option::onlyIn(std::vector<std::string> C) {
  Commands = std::move(C);
  return *this;
}

Option &Option::hidden() {
  Hidden = true;
  return *this;
}

struct Options::Impl {
  ToolInfo Info;
  std::vector<std::unique_ptr<Option>> Table;
  std::vector<std::pair<std::string, std::string>> Commands;
  std::string *Command = nullptr;
  std::string PositionalMeta;
  std::vector<std::string> *Positionals = nullptr;
  size_t MaxPositionals = 0;
  std::string PassthroughMeta;
  std::vector<std::string> *Passthrough = nullptr;

  Option &add(const std::string &Names, std::string Meta, std::string Help,
              std::function<std::string(const std::string &)> Apply) {
    auto O = std::make_unique<Option>();
    size_t Start = 0;
    if (!Names.empty() && Names[0] == '-') {
      O->SingleDash = true;
      Start = 1;
    }
    while (Start <= Names.size()) {
      size_t Comma = Names.find(',', Start);
      O->Names.push_back(Names.substr(Start, Comma - Start));
      if (Comma == std::string::npos)
        break;
      Start = Comma + 1;
    }
    O->Meta = std::move(Meta);
    O->Help = std::move(Help);
    O->Apply = std::move(Apply);
    Table.push_back(std::move(O));
    return *Table.back();
  }

  static std::string spelled(const Option &O, const std::string &Name) {
    return (Name.size() == 1 || O.SingleDash ? "-" : "--") + Name;
  }

  Option *find(const std::string &Name) const {
    for (const auto &O : Table)
      if (std::find(O->Names.begin(), O->Names.end(), Name) != O->Names.end())
        return O.get();
    return nullptr;
  }

  bool appliesHere(const Option &O) const {
    return O.Commands.empty() || !Command || Command->empty() ||
           std::find(O.Commands.begin(), O.Commands.end(), *Command) !=
               O.Commands.end();
  }

  /// The option name closest to \p Name, if it is a likely typo.
  std::string suggest(const std::string &Name) const {
    auto Distance = [](const std::string &A, const std::string &B) {
      std::vector<size_t> Row(B.size() + 1);
      for (size_t J = 0; J <= B.size(); ++J)
        Row[J] = J;
      for (size_t I = 1; I <= A.size(); ++I) {
        size_t Diag = Row[0];
        Row[0] = I;
        for (size_t J = 1; J <= B.size(); ++J) {
          size_t Up = Row[J];
          Row[J] = std::min({Row[J] + 1, Row[J - 1] + 1,
                             Diag + (A[I - 1] == B[J - 1] ? 0 : 1)});
          Diag = Up;
        }
      }
      return Row[B.size()];
    };
    std::string Best;
    size_t BestD = 3;
    for (const auto &O : Table)
      for (const std::string &N : O->Names)
        if (N.size() > 1 && !O->Hidden && appliesHere(*O)) {
          // Compared without dashes; suggested as spelled.
          size_t D = Distance(Name, N);
          if (D < BestD) {
            BestD = D;
            Best = (O->SingleDash ? "-" : "--") + N;
          }
        }
    return Best;
  }
};

Options::Options(ToolInfo Info) : I(std::make_unique<Impl>()) {
  I->Info = std::move(Info);
}
Options::~Options() = default;

Option &Options::addFlag(const std::string &Names, const std::string &Help,
                         bool &Out) {
  return I->add(Names, "", Help, [&Out](const std::string &) {
    Out = true;
    return std::string();
  });
}

Option &Options::addString(const std::string &Names, const std::string &Meta,
                           const std::string &Help, std::string &Out) {
  return I->add(Names, Meta, Help, [&Out](const std::string &V) {
    Out = V;
    return std::string();
  });
}

Option &Options::addList(const std::string &Names, const std::string &Meta,
                         const std::string &Help,
                         std::vector<std::string> &Out) {
  return I->add(Names, Meta, Help, [&Out](const std::string &V) {
    Out.push_back(V);
    return std::string();
  });
}

Option &Options::addNumber(const std::string &Names, const std::string &Meta,
                           const std::string &Help, uint64_t &Out, uint64_t Lo,
                           uint64_t Hi, const std::string &Why) {
  return I->add(Names, Meta, Help, [&Out, Lo, Hi, Why](const std::string &V) {
    auto N = parseUnsigned(V);
    if (!N || *N < Lo || *N > Hi)
      return "'" + V + "' is not an integer in " + std::to_string(Lo) + ".." +
             std::to_string(Hi) + (Why.empty() ? "" : " (" + Why + ")");
    Out = *N;
    return std::string();
  });
}

Option &Options::addNumber(const std::string &Names, const std::string &Meta,
                           const std::string &Help, unsigned &Out, unsigned Lo,
                           unsigned Hi, const std::string &Why) {
  auto Wide = std::make_shared<uint64_t>();
  Option &O = addNumber(Names, Meta, Help, *Wide, Lo, Hi, Why);
  auto Check = std::move(O.Apply);
  O.Apply = [Check, Wide, &Out](const std::string &V) {
    std::string Err = Check(V);
    if (Err.empty())
      Out = unsigned(*Wide);
    return Err;
  };
  return O;
}

Option &Options::addChoice(const std::string &Names, const std::string &Help,
                           std::vector<std::string> Choices, std::string &Out) {
  std::string Meta, List;
  for (size_t K = 0; K < Choices.size(); ++K) {
    Meta += (K ? "|" : "") + Choices[K];
    List += (K == 0                    ? ""
             : K + 1 == Choices.size() ? " or "
                                       : ", ") +
            Choices[K];
  }
  return I->add(Names, Meta, Help, [&Out, Choices, List](const std::string &V) {
    if (std::find(Choices.begin(), Choices.end(), V) == Choices.end())
      return "'" + V + "' is not " + List;
    Out = V;
    return std::string();
  });
}

Option &
Options::addCustom(const std::string &Names, const std::string &Meta,
                   const std::string &Help,
                   std::function<std::string(const std::string &)> Apply) {
  return I->add(Names, Meta, Help, std::move(Apply));
}

void Options::commands(std::vector<std::pair<std::string, std::string>> List,
                       std::string &Out) {
  I->Commands = std::move(List);
  I->Command = &Out;
}

void Options::positionals(const std::string &Meta,
                          std::vector<std::string> &Out, size_t Max) {
  I->PositionalMeta = Meta;
  I->Positionals = &Out;
  I->MaxPositionals = Max;
}

void Options::passthrough(const std::string &Meta,
                          std::vector<std::string> &Out) {
  I->PassthroughMeta = Meta;
  I->Passthrough = &Out;
}

bool Options::given(const std::string &Name) const {
  Option *O = I->find(Name);
  return O && O->Count;
}

const std::string &Options::tool() const { return I->Info.Name; }

void Options::usageError(const std::string &Msg) const {
  std::fprintf(stderr, "%s: error: %s\n", tool().c_str(), Msg.c_str());
  std::exit(ExitUsage);
}

void Options::fail(const std::string &Msg, int Status) const {
  std::exit(error(Msg, Status));
}

int Options::error(const std::string &Msg, int Status) const {
  std::fflush(stdout); // what the tool printed comes before the error
  std::fprintf(stderr, "%s: error: %s\n", tool().c_str(), Msg.c_str());
  return Status;
}

void Options::warn(const std::string &Msg) const {
  std::fflush(stdout);
  std::fprintf(stderr, "%s: warning: %s\n", tool().c_str(), Msg.c_str());
}

void Options::note(const std::string &Msg) const {
  std::fflush(stdout);
  std::fprintf(stderr, "%s: note: %s\n", tool().c_str(), Msg.c_str());
}

/// Appends \p Text to \p Out wrapped at 80 columns, continuation lines
/// indented by \p Indent (the first line starts at column \p Column).
static void wrap(std::string &Out, const std::string &Text, size_t Column,
                 size_t Indent) {
  size_t Pos = 0;
  while (Pos < Text.size()) {
    size_t Space = Text.find(' ', Pos);
    std::string Word = Text.substr(Pos, Space - Pos);
    if (Column > Indent && Column + 1 + Word.size() > 80) {
      Out += "\n" + std::string(Indent, ' ');
      Column = Indent;
    } else if (Column > Indent) {
      Out += ' ';
      ++Column;
    }
    Out += Word;
    Column += Word.size();
    if (Space == std::string::npos)
      break;
    Pos = Space + 1;
  }
  Out += "\n";
}

std::string Options::helpText() const {
  const ToolInfo &T = I->Info;
  bool InCommand = I->Command && !I->Command->empty();
  std::string S = "OVERVIEW: " + T.Name + " - " + T.Overview + "\n\n";
  for (size_t K = 0; K < T.Usage.size(); ++K)
    if (!InCommand || T.Usage[K].rfind(*I->Command + " ", 0) == 0 ||
        T.Usage[K] == *I->Command)
      S += std::string(S.find("USAGE:") == std::string::npos ? "USAGE: "
                                                             : "       ") +
           T.Name + " " + T.Usage[K] + "\n";
  if (!InCommand && !I->Commands.empty()) {
    S += "\nCOMMANDS:\n";
    size_t W = 0;
    for (const auto &C : I->Commands)
      W = std::max(W, C.first.size());
    for (const auto &C : I->Commands)
      S += "  " + C.first + std::string(W + 2 - C.first.size(), ' ') +
           C.second + "\n";
  }
  std::vector<std::pair<std::string, std::string>> Rows;
  for (const auto &O : I->Table) {
    if (O->Hidden || (InCommand && !I->appliesHere(*O)))
      continue;
    std::string Left;
    for (const std::string &N : O->Names)
      Left += (Left.empty() ? "" : ", ") + Impl::spelled(*O, N);
    if (!O->Meta.empty())
      Left += " " + O->Meta;
    std::string Help = O->Help;
    if (!InCommand && !O->Commands.empty()) {
      std::string Cs;
      for (const std::string &C : O->Commands)
        Cs += (Cs.empty() ? "" : ", ") + C;
      Help += " [" + Cs + "]";
    }
    Rows.push_back({Left, Help});
  }
  if (I->Passthrough)
    Rows.push_back({"-- " + I->PassthroughMeta,
                    "everything after -- is passed on as it is"});
  Rows.push_back({"-h, --help", "display this help and exit"});
  Rows.push_back({"--version", "display the version and exit"});
  size_t W = 0;
  for (const auto &R : Rows)
    if (R.first.size() <= 24)
      W = std::max(W, R.first.size());
  S += "\nOPTIONS:\n";
  for (const auto &R : Rows) {
    S += "  " + R.first;
    size_t Column = 2 + R.first.size();
    if (R.first.size() > W) {
      S += "\n" + std::string(W + 4, ' ');
      Column = W + 4;
    } else {
      S += std::string(W + 4 - Column, ' ');
      Column = W + 4;
    }
    wrap(S, R.second, Column, W + 4);
  }
  if (!T.Details.empty() && !InCommand) {
    S += "\n";
    size_t Pos = 0;
    while (Pos <= T.Details.size()) {
      size_t End = T.Details.find('\n', Pos);
      wrap(S, T.Details.substr(Pos, End - Pos), 0, 0);
      if (End == std::string::npos)
        break;
      Pos = End + 1;
    }
  }
  return S;
}

std::optional<int> Options::parse(int Argc, const char *const *Argv) {
  const std::string Hint = " (see '" + tool() + " --help')";
  auto Bad = [&](const std::string &Msg) -> std::optional<int> {
    std::fprintf(stderr, "%s: error: %s\n", tool().c_str(), Msg.c_str());
    return ExitUsage;
  };
  bool WantHelp = false, WantVersion = false;
  std::optional<std::string> Error;
  for (int A = 1; A < Argc; ++A) {
    std::string Arg = Argv[A];
    if (Arg == "--") {
      if (I->Passthrough) {
        I->Passthrough->assign(Argv + A + 1, Argv + Argc);
        break;
      }
      for (++A; A < Argc; ++A)
        if (I->Positionals && I->Positionals->size() < I->MaxPositionals)
          I->Positionals->push_back(Argv[A]);
        else if (!Error)
          Error = "unexpected argument '" + std::string(Argv[A]) + "'" + Hint;
      break;
    }
    if (Arg.size() < 2 || Arg[0] != '-') {
      if (I->Command && I->Command->empty()) {
        auto C = std::find_if(I->Commands.begin(), I->Commands.end(),
                              [&](const auto &P) { return P.first == Arg; });
        if (C == I->Commands.end()) {
          if (!Error)
            Error = "unknown command '" + Arg + "'" + Hint;
          continue;
        }
        *I->Command = Arg;
      } else if (I->Positionals && I->Positionals->size() < I->MaxPositionals) {
        I->Positionals->push_back(Arg);
      } else if (!Error) {
        Error = "unexpected argument '" + Arg + "'" + Hint;
      }
      continue;
    }
    size_t Dashes = Arg[1] == '-' ? 2 : 1;
    size_t Eq = Arg.find('=');
    std::string Name = Arg.substr(Dashes, Eq - Dashes);
    if (Name == "help" || Name == "h") {
      WantHelp = true;
      continue;
    }
    if (Name == "version") {
      WantVersion = true;
      continue;
    }
    if (Error)
      continue; // only --help and --version still matter
    Option *O = I->find(Name);
    if (!O) {
      std::string Guess = I->suggest(Name);
      Error = "unknown argument '" + Arg + "'" +
              (Guess.empty() ? Hint
                             : " (did you mean '" + Guess + "'? see '" +
                                   tool() + " --help')");
      continue;
    }
    std::string Spelling = Impl::spelled(*O, Name);
    if (!I->appliesHere(*O)) {
      Error = *I->Command + " takes no option '" + Spelling + "'" + Hint;
      continue;
    }
    std::string Value;
    if (O->Meta.empty()) {
      if (Eq != std::string::npos) {
        Error = "option '" + Spelling + "' takes no value";
        continue;
      }
    } else if (Eq != std::string::npos) {
      Value = Arg.substr(Eq + 1);
    } else if (A + 1 < Argc) {
      Value = Argv[++A];
    } else {
      Error = "option '" + Spelling + "' needs a value (" + Spelling + " " +
              O->Meta + ")";
      continue;
    }
    ++O->Count;
    if (std::string Err = O->Apply(Value); !Err.empty())
      Error = Err.rfind(Spelling + " ", 0) == 0 ? Err : Spelling + ": " + Err;
  }
  if (WantHelp) {
    std::fputs(helpText().c_str(), stdout);
    return ExitOk;
  }
  if (WantVersion) {
    std::printf("%s (scrcc) %s\n", tool().c_str(), version());
    for (const std::string &L : I->Info.VersionInfo)
      std::printf("  %s\n", L.c_str());
    return ExitOk;
  }
  if (Error)
    return Bad(*Error);
  if (I->Command && I->Command->empty())
    return Bad("no command given" + Hint);
  return std::nullopt;
}

} // namespace scrcli
