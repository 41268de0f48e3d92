//===- PcapTest.cpp - pcap reading, writing and rejecting
//------------------===//

#include "scrrt/Pcap.h"

#include <gtest/gtest.h>
#include <pcap/pcap.h>

#include <cstdio>
#include <fstream>
#include <unistd.h>

using namespace scrrt;

namespace {

class PcapFile : public ::testing::Test {
protected:
  void SetUp() override {
    const char *Tmp = std::getenv("TMPDIR");
    Path = std::string(Tmp ? Tmp : "/tmp") + "/scrrt-pcaptest-" +
           std::to_string(getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name() +
           ".pcap";
  }
  void TearDown() override { std::remove(Path.c_str()); }

  void writeBytes(const std::vector<uint8_t> &B) {
    std::ofstream(Path, std::ios::binary)
        .write(reinterpret_cast<const char *>(B.data()), B.size());
  }
  std::vector<uint8_t> fileBytes() {
    std::ifstream In(Path, std::ios::binary);
    return {std::istreambuf_iterator<char>(In),
            std::istreambuf_iterator<char>()};
  }
  std::string readError() {
    std::string Error;
    EXPECT_FALSE(readPcap(Path, Error).has_value());
    return Error;
  }

  std::string Path;
};

std::vector<Packet> samplePackets() {
  std::vector<Packet> P;
  for (unsigned I = 0; I < 5; ++I) {
    Packet Pk;
    Pk.TimestampNs = 1700000000123456789ULL + I * 1001;
    Pk.Data.resize(14 + I * 100);
    for (size_t J = 0; J < Pk.Data.size(); ++J)
      Pk.Data[J] = uint8_t(J * 7 + I);
    P.push_back(Pk);
  }
  P.push_back({5, {}}); // an empty record survives too
  return P;
}

// A classic big-endian microsecond header plus one record, built by hand.
std::vector<uint8_t> bigEndianMicroFile(uint32_t LinkType) {
  auto Put = [](std::vector<uint8_t> &B, uint32_t V, int Bytes) {
    for (int I = Bytes - 1; I >= 0; --I)
      B.push_back(uint8_t(V >> (8 * I)));
  };
  std::vector<uint8_t> B;
  Put(B, 0xa1b2c3d4, 4);
  Put(B, 2, 2);
  Put(B, 4, 2);
  Put(B, 0, 4);
  Put(B, 0, 4);
  Put(B, 65535, 4);
  Put(B, LinkType, 4);
  Put(B, 1000, 4);   // sec
  Put(B, 250000, 4); // usec
  Put(B, 16, 4);
  Put(B, 16, 4);
  for (int I = 0; I < 16; ++I)
    B.push_back(uint8_t(I));
  return B;
}

TEST_F(PcapFile, RoundTripKeepsBytesAndNanoseconds) {
  std::string Error;
  auto In = samplePackets();
  ASSERT_TRUE(writePcap(Path, In, Error)) << Error;
  auto Out = readPcap(Path, Error);
  ASSERT_TRUE(Out) << Error;
  ASSERT_EQ(Out->size(), In.size());
  for (size_t I = 0; I < In.size(); ++I) {
    EXPECT_EQ((*Out)[I].TimestampNs, In[I].TimestampNs);
    EXPECT_EQ((*Out)[I].Data, In[I].Data);
  }
}

TEST_F(PcapFile, LibpcapReadsWhatWeWrite) {
  std::string Error;
  auto In = samplePackets();
  ASSERT_TRUE(writePcap(Path, In, Error)) << Error;
  char Err[PCAP_ERRBUF_SIZE];
  pcap_t *P = pcap_open_offline_with_tstamp_precision(
      Path.c_str(), PCAP_TSTAMP_PRECISION_NANO, Err);
  ASSERT_TRUE(P) << Err;
  EXPECT_EQ(pcap_datalink(P), DLT_EN10MB);
  pcap_pkthdr *H;
  const u_char *D;
  size_t N = 0;
  while (pcap_next_ex(P, &H, &D) == 1) {
    ASSERT_LT(N, In.size());
    EXPECT_EQ(uint64_t(H->ts.tv_sec) * 1000000000 + H->ts.tv_usec,
              In[N].TimestampNs);
    EXPECT_EQ(std::vector<uint8_t>(D, D + H->caplen), In[N].Data);
    ++N;
  }
  pcap_close(P);
  EXPECT_EQ(N, In.size());
}

TEST_F(PcapFile, ReadsBigEndianMicrosecondFiles) {
  writeBytes(bigEndianMicroFile(1));
  std::string Error;
  auto Out = readPcap(Path, Error);
  ASSERT_TRUE(Out) << Error;
  ASSERT_EQ(Out->size(), 1u);
  EXPECT_EQ((*Out)[0].TimestampNs, 1000250000000ULL);
  EXPECT_EQ((*Out)[0].Data.size(), 16u);
  EXPECT_EQ((*Out)[0].Data[15], 15);
}

TEST_F(PcapFile, ReadsLibpcapMicrosecondFiles) {
  pcap_t *Dead = pcap_open_dead(DLT_EN10MB, 65535);
  pcap_dumper_t *Dump = pcap_dump_open(Dead, Path.c_str());
  ASSERT_TRUE(Dump);
  uint8_t Frame[60] = {1, 2, 3};
  pcap_pkthdr H{};
  H.ts.tv_sec = 42;
  H.ts.tv_usec = 7;
  H.caplen = H.len = sizeof Frame;
  pcap_dump(reinterpret_cast<u_char *>(Dump), &H, Frame);
  pcap_dump_close(Dump);
  pcap_close(Dead);
  std::string Error;
  auto Out = readPcap(Path, Error);
  ASSERT_TRUE(Out) << Error;
  ASSERT_EQ(Out->size(), 1u);
  EXPECT_EQ((*Out)[0].TimestampNs, 42000007000ULL);
  EXPECT_EQ((*Out)[0].Data, std::vector<uint8_t>(Frame, Frame + 60));
}

TEST_F(PcapFile, RejectsOtherLinkTypes) {
  writeBytes(bigEndianMicroFile(113));
  EXPECT_EQ(readError(), Path + ": unsupported link type 113 (only Ethernet)");
}

TEST_F(PcapFile, RejectsBadMagic) {
  writeBytes({'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd'});
  EXPECT_NE(readError().find("not a pcap file (bad magic"), std::string::npos);
}

TEST_F(PcapFile, RejectsPcapng) {
  writeBytes({0x0a, 0x0d, 0x0d, 0x0a, 0, 0, 0, 0});
  EXPECT_NE(readError().find("pcapng is not supported"), std::string::npos);
}

TEST_F(PcapFile, RejectsEmptyFile) {
  writeBytes({});
  EXPECT_NE(readError().find("empty file"), std::string::npos);
}

TEST_F(PcapFile, RejectsTruncatedFileHeader) {
  auto B = bigEndianMicroFile(1);
  B.resize(20);
  writeBytes(B);
  EXPECT_NE(readError().find("truncated pcap file header"), std::string::npos);
}

TEST_F(PcapFile, RejectsTruncatedRecordHeader) {
  auto B = bigEndianMicroFile(1);
  B.resize(24 + 10);
  writeBytes(B);
  EXPECT_NE(readError().find("truncated record header (record 0 at byte 24)"),
            std::string::npos);
}

TEST_F(PcapFile, RejectsTruncatedRecordData) {
  auto B = bigEndianMicroFile(1);
  B.pop_back();
  writeBytes(B);
  EXPECT_NE(readError().find("truncated record: 16 bytes announced, 15 left"),
            std::string::npos);
}

TEST_F(PcapFile, RejectsImpossibleMicroseconds) {
  auto B = bigEndianMicroFile(1);
  B[28] = 0xff; // usec >= 10^6
  writeBytes(B);
  EXPECT_NE(readError().find("bad timestamp fraction"), std::string::npos);
}

TEST_F(PcapFile, MissingFileAndUnwritablePathAreErrors) {
  std::string Error;
  EXPECT_FALSE(readPcap(Path + ".missing", Error));
  EXPECT_NE(Error.find("cannot open"), std::string::npos);
  EXPECT_FALSE(writePcap("/nonexistent-dir/x.pcap", samplePackets(), Error));
  EXPECT_NE(Error.find("cannot create"), std::string::npos);
}

} // namespace
