//===- HeaderFormatTest.cpp - The hand-written copies of the SCR header ---===//
//
// scr::HeaderFormat is the one description of the SCR header: the XDP
// program's struct and P4's scr_h are rendered from it. Two copies are
// written by hand, the byte order of scr_seq_core.v's `hdr` word (Verilog
// builds it lane by lane) and the table of docs/packet-format.md; these
// tests fail as soon as either drifts from the description.
//
//===----------------------------------------------------------------------===//

#include "scrcc/Layout.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace {

const std::pair<const char *, const char *> RtlLibrary[] = {
#include "RtlLibrary.inc"
};

std::string rtl(const std::string &Name) {
  for (const auto &[N, Text] : RtlLibrary)
    if (Name == N)
      return Text;
  ADD_FAILURE() << Name << " is not in the RTL library";
  return "";
}

std::string squeeze(const std::string &S) {
  std::string R;
  for (char C : S)
    if (!isspace(static_cast<unsigned char>(C)))
      R += C;
  return R;
}

using scr::HeaderFormat;

TEST(HeaderFormat, SeqCoreBuildsTheHeaderInItsByteOrder) {
  std::string Core = rtl("scr_seq_core.v");
  EXPECT_NE(Core.find("localparam HDR = " +
                      std::to_string(HeaderFormat::Bytes) + ";"),
            std::string::npos);
  EXPECT_NE(Core.find("localparam OE = OUTER_ETH ? " +
                      std::to_string(HeaderFormat::OuterEthernetBytes) +
                      " : 0;"),
            std::string::npos);

  // The core's registers behind each header field; single-byte fields are
  // written as their Verilog terms, most significant first.
  const std::map<std::string, std::string> Signal = {{"seq", "seq"},
                                                     {"hist_seq", "hist_seq"},
                                                     {"ts", "cur_ts64"},
                                                     {"oldest", "oldest"}};
  const std::map<std::string, std::string> Byte = {
      {"flags", "7'd0,cur_relevant"}, {"reserved", "8'd0"}};
  // Lane 0 (the first byte on the wire) is the last term of the
  // concatenation; a big-endian field's first byte is its top byte.
  std::vector<std::string> Terms;
  for (auto F = std::rbegin(HeaderFormat::Fields);
       F != std::rend(HeaderFormat::Fields); ++F) {
    if (F->Bytes == 1) {
      ASSERT_TRUE(Byte.count(F->Name)) << F->Name;
      Terms.push_back(Byte.at(F->Name));
      continue;
    }
    ASSERT_TRUE(Signal.count(F->Name)) << F->Name;
    for (unsigned K = 0; K < F->Bytes; ++K)
      Terms.push_back(Signal.at(F->Name) + "[" + std::to_string(8 * K + 7) +
                      ":" + std::to_string(8 * K) + "]");
  }
  std::string Expected = "wire[HDR*8-1:0]hdr={";
  for (size_t I = 0; I < Terms.size(); ++I)
    Expected += (I ? "," : "") + Terms[I];
  Expected += "};";
  EXPECT_NE(squeeze(Core).find(Expected), std::string::npos)
      << "scr_seq_core.v's hdr is not\n"
      << Expected;

  // The outer EtherType, lane 12 first.
  char Eth[64];
  std::snprintf(Eth, sizeof Eth, "wire[111:0]eth={8'h%02x,8'h%02x,",
                HeaderFormat::OuterEtherType & 0xff,
                HeaderFormat::OuterEtherType >> 8);
  EXPECT_NE(squeeze(Core).find(Eth), std::string::npos) << Eth;
}

TEST(HeaderFormat, PacketFormatDocumentsEveryField) {
  std::ifstream In(SCR_SOURCE_DIR "/docs/packet-format.md");
  ASSERT_TRUE(In) << "cannot read docs/packet-format.md";
  std::stringstream SS;
  SS << In.rdbuf();
  std::string Doc = squeeze(SS.str());
  for (const scr::HeaderField &F : HeaderFormat::Fields) {
    std::string Name = std::string(F.Name) == "reserved"
                           ? "reserved"
                           : "`" + std::string(F.Name) + "`";
    std::string Row = "|" + std::to_string(F.Offset) + "|" +
                      std::to_string(F.Bytes) + "|" + Name + "|";
    EXPECT_NE(Doc.find(Row), std::string::npos)
        << "docs/packet-format.md has no row " << Row;
  }
  EXPECT_NE(
      Doc.find("SCRheader(" + std::to_string(HeaderFormat::Bytes) + "bytes)"),
      std::string::npos);
}

} // namespace
