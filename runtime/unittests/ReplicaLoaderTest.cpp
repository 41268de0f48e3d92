//===- ReplicaLoaderTest.cpp - scr-replica's parsing of map bytes ---------===//

#include "scrrt/ReplicaLoader.h"

#include <gtest/gtest.h>

using namespace scrrt;

namespace {

std::vector<uint8_t> bytes(std::initializer_list<uint8_t> B) { return B; }

TEST(ParseHexBytes, MemoryOrderAsStatePrintsIt) {
  std::string Error;
  auto B = parseHexBytes("0a000001", Error);
  ASSERT_TRUE(B) << Error;
  EXPECT_EQ(*B, bytes({0x0a, 0x00, 0x00, 0x01}));
  EXPECT_EQ(hexBytes(*B), "0a000001");
}

TEST(ParseHexBytes, SeparatorsBetweenBytesAndUpperCase) {
  std::string Error;
  auto B = parseHexBytes("0A:00 FF:1b", Error);
  ASSERT_TRUE(B) << Error;
  EXPECT_EQ(*B, bytes({0x0a, 0x00, 0xff, 0x1b}));
}

TEST(ParseHexBytes, RefusesWhatIsNotBytes) {
  std::string Error;
  EXPECT_FALSE(parseHexBytes("", Error));
  EXPECT_NE(Error.find("empty"), std::string::npos);
  EXPECT_FALSE(parseHexBytes("0a0", Error));
  EXPECT_NE(Error.find("odd number of digits"), std::string::npos);
  // A separator inside a byte, a 0x prefix (it would suggest a number,
  // whose byte order the tool cannot know) and other characters.
  EXPECT_FALSE(parseHexBytes("0:a", Error));
  EXPECT_FALSE(parseHexBytes("0x0a", Error));
  EXPECT_NE(Error.find("'x'"), std::string::npos);
  EXPECT_FALSE(parseHexBytes("0a-01", Error));
}

} // namespace
