//===- OptionsTest.cpp - The shared option parser -------------------------===//

#include "scrcli/Options.h"

#include <gtest/gtest.h>

using namespace scrcli;

namespace {

struct Parsed {
  std::optional<int> Exit;
  std::string Err;
};

/// Parses \p Args (after the tool name) with \p CL, capturing stderr.
Parsed parse(Options &CL, std::vector<const char *> Args) {
  Args.insert(Args.begin(), "tool");
  testing::internal::CaptureStderr();
  Parsed P;
  P.Exit = CL.parse(int(Args.size()), Args.data());
  P.Err = testing::internal::GetCapturedStderr();
  return P;
}

ToolInfo info() { return {"tool", "a test", {"[options]"}, "", {}}; }

TEST(Options, ValueSpellings) {
  for (std::vector<const char *> Args :
       {std::vector<const char *>{"--cores", "4"},
        {"--cores=4"},
        {"-cores", "4"},
        {"-cores=4"},
        {"--cores", "0x4"}}) {
    Options CL(info());
    unsigned Cores = 0;
    CL.addNumber("cores", "K", "", Cores, 1, 8);
    Parsed P = parse(CL, Args);
    EXPECT_FALSE(P.Exit) << P.Err;
    EXPECT_EQ(Cores, 4u);
    EXPECT_TRUE(CL.given("cores"));
  }
}

TEST(Options, NumbersAreWholeAndInRange) {
  for (const char *Bad : {"4x", "", "-1", "+4", " 4", "9", "0", "0x", "010x",
                          "99999999999999999999"}) {
    Options CL(info());
    unsigned Cores = 3;
    CL.addNumber("cores", "K", "", Cores, 1, 8);
    Parsed P = parse(CL, {"--cores", Bad});
    ASSERT_TRUE(P.Exit) << Bad;
    EXPECT_EQ(*P.Exit, ExitUsage);
    EXPECT_EQ(P.Err, "tool: error: --cores: '" + std::string(Bad) +
                         "' is not an integer in 1..8\n");
    EXPECT_EQ(Cores, 3u) << "a bad value is not stored";
  }
  // Leading zeros are decimal, never octal.
  Options CL(info());
  unsigned N = 0;
  CL.addNumber("n", "N", "", N, 0, 100);
  EXPECT_FALSE(parse(CL, {"-n", "010"}).Exit);
  EXPECT_EQ(N, 10u);
}

TEST(Options, HelpAndVersionWinAnywhere) {
  Options CL(info());
  unsigned Cores = 0;
  CL.addNumber("cores", "K", "replicas", Cores, 1, 8);
  testing::internal::CaptureStdout();
  Parsed P = parse(CL, {"--cores", "many", "--bogus", "-h"});
  std::string Out = testing::internal::GetCapturedStdout();
  ASSERT_TRUE(P.Exit);
  EXPECT_EQ(*P.Exit, ExitOk);
  EXPECT_EQ(P.Err, "");
  EXPECT_NE(Out.find("USAGE: tool [options]"), std::string::npos);
  EXPECT_NE(Out.find("--cores K"), std::string::npos);
}

TEST(Options, UnknownOptionsAndTypos) {
  Options CL(info());
  bool Explain = false;
  CL.addFlag("explain", "", Explain);
  Parsed P = parse(CL, {"--explian"});
  EXPECT_EQ(P.Err, "tool: error: unknown argument '--explian' (did you mean "
                   "'--explain'? see 'tool --help')\n");
  P = parse(CL, {"--explain=yes"});
  EXPECT_EQ(P.Err, "tool: error: option '--explain' takes no value\n");
}

TEST(Options, PassthroughAndPositionals) {
  Options CL(info());
  std::vector<std::string> In, Rest;
  std::string Out;
  CL.addString("o", "FILE", "", Out);
  CL.positionals("IN", In, 1);
  CL.passthrough("ARGS", Rest);
  EXPECT_FALSE(parse(CL, {"a.c", "-o", "x", "--", "-DX", "--cores"}).Exit);
  EXPECT_EQ(In, std::vector<std::string>{"a.c"});
  EXPECT_EQ(Out, "x");
  EXPECT_EQ(Rest, (std::vector<std::string>{"-DX", "--cores"}));
  Parsed P = parse(CL, {"b.c"});
  EXPECT_EQ(P.Err,
            "tool: error: unexpected argument 'b.c' (see 'tool --help')\n");
}

TEST(Options, CommandsLimitTheirOptions) {
  Options CL(info());
  std::string Cmd, Dev, Map;
  CL.commands({{"attach", ""}, {"state", ""}}, Cmd);
  CL.addString("dev", "IFACE", "", Dev).onlyIn({"attach"});
  CL.addString("map", "NAME", "", Map).onlyIn({"state"});
  Parsed P = parse(CL, {"state", "--dev", "eth0"});
  EXPECT_EQ(P.Err, "tool: error: state takes no option '--dev' (see 'tool "
                   "--help')\n");
  Options Fresh(info());
  std::string None;
  Fresh.commands({{"attach", ""}}, None);
  EXPECT_EQ(parse(Fresh, {}).Err,
            "tool: error: no command given (see 'tool --help')\n");
  EXPECT_EQ(parse(Fresh, {"detach"}).Err,
            "tool: error: unknown command 'detach' (see 'tool --help')\n");
}

TEST(Options, ChoicesAndRepeats) {
  Options CL(info());
  std::string Mode = "nic";
  std::vector<std::string> Inits;
  CL.addChoice("mode", "", {"nic", "tor"}, Mode);
  CL.addList("init", "FILE", "", Inits);
  EXPECT_FALSE(parse(CL, {"--mode", "tor", "--init", "a", "--init=b"}).Exit);
  EXPECT_EQ(Mode, "tor");
  EXPECT_EQ(Inits, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(parse(CL, {"--mode", "fpga"}).Err,
            "tool: error: --mode: 'fpga' is not nic or tor\n");
  EXPECT_EQ(parse(CL, {"--mode"}).Err,
            "tool: error: option '--mode' needs a value (--mode nic|tor)\n");
}

} // namespace
