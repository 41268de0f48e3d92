//===- LayoutFuzzer.cpp - libFuzzer target: the layout reader -------------===//
//
// Any bytes given to Layout::fromJson either give an error message or a
// layout that passes Layout::validate, writes back to JSON that reads back
// to the same JSON, and that the evaluator, the entry packer and the
// printers handle without a crash (ASan/UBSan watch them). Seeds:
// test/fuzz/Inputs/layouts and the damaged layouts of test/layout.
//
//===----------------------------------------------------------------------===//

#include "scrcc/Layout.h"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {
[[noreturn]] void fail(const char *What, const std::string &Detail) {
  std::fprintf(stderr, "layout fuzzer: %s: %s\n", What, Detail.c_str());
  std::abort();
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  std::string Text(reinterpret_cast<const char *>(Data), Size), Error;
  auto L = scr::Layout::fromJson(Text, Error);
  if (!L) {
    if (Error.empty())
      fail("refused without a message", Text.substr(0, 200));
    return 0;
  }
  std::string Why;
  if (!L->validate(Why))
    fail("fromJson returned a layout validate() refuses", Why);
  std::string Json = L->toJson();
  auto Again = scr::Layout::fromJson(Json, Error);
  if (!Again)
    fail("its own JSON does not read back", Error);
  if (Again->toJson() != Json)
    fail("JSON round trip changed the layout", Json.substr(0, 200));

  // A frame made of the input's own bytes: evaluate and pack everything.
  std::vector<uint8_t> Packet(Data, Data + std::min<size_t>(Size, 256));
  if (L->Relevance) {
    (void)L->Relevance->eval(Packet);
    (void)L->Relevance->str();
  }
  std::vector<uint8_t> Entry = L->packEntry(Packet, 0x123456789abcULL);
  if (Entry.size() != L->entryBytes())
    fail("packEntry size", std::to_string(Entry.size()));
  for (const scr::Field &F : L->Fields) {
    uint64_t V = F.extract(Packet, 0x123456789abcULL);
    if (L->unpackField(Entry, F) != V)
      fail("field does not unpack to what was packed", F.Name);
  }
  (void)L->prefixBytes();
  return 0;
}
