//===- Pcap.cpp - Classic pcap reader and writer
//---------------------------===//
//
// Reads the format directly (rather than through libpcap) so that every
// defect gets a precise message naming the file and record, and so that
// nanosecond timestamps survive exactly.
//
//===----------------------------------------------------------------------===//

#include "scrrt/Pcap.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace scrrt {

namespace {
constexpr uint32_t MagicMicro = 0xa1b2c3d4;
constexpr uint32_t MagicNano = 0xa1b23c4d;
constexpr uint32_t MagicPcapng = 0x0a0d0d0a;
constexpr size_t GlobalHeaderBytes = 24;
constexpr size_t RecordHeaderBytes = 16;
// Larger records are not frames but corruption (pcap's own limit is 256 KiB).
constexpr uint32_t MaxRecordBytes = 262144;

uint32_t bswap32(uint32_t V) { return __builtin_bswap32(V); }

struct FileCloser {
  void operator()(FILE *F) const { std::fclose(F); }
};
using File = std::unique_ptr<FILE, FileCloser>;

bool readWholeFile(const std::string &Path, std::vector<uint8_t> &Out,
                   std::string &Error) {
  File F(std::fopen(Path.c_str(), "rb"));
  if (!F) {
    Error = Path + ": cannot open: " + std::strerror(errno);
    return false;
  }
  // One read of the whole file: traces are read once, sequentially.
  if (std::fseek(F.get(), 0, SEEK_END) == 0) {
    long Size = std::ftell(F.get());
    if (Size > 0)
      Out.reserve(size_t(Size));
    std::rewind(F.get());
  }
  uint8_t Buf[1 << 16];
  size_t N;
  while ((N = std::fread(Buf, 1, sizeof Buf, F.get())) > 0)
    Out.insert(Out.end(), Buf, Buf + N);
  if (std::ferror(F.get())) {
    Error = Path + ": read error: " + std::strerror(errno);
    return false;
  }
  return true;
}
} // namespace

std::optional<std::vector<Packet>> readPcap(const std::string &Path,
                                            std::string &Error) {
  std::vector<uint8_t> Buf;
  if (!readWholeFile(Path, Buf, Error))
    return std::nullopt;
  auto Fail = [&](const std::string &Msg) {
    Error = Path + ": " + Msg;
    return std::nullopt;
  };
  if (Buf.size() < 4)
    return Fail(Buf.empty() ? "empty file, not a pcap trace"
                            : "not a pcap file (too short)");
  uint32_t Magic;
  std::memcpy(&Magic, Buf.data(), 4);
  bool Swap = false, Nano = false;
  if (Magic == MagicMicro || Magic == MagicNano) {
    Nano = Magic == MagicNano;
  } else if (bswap32(Magic) == MagicMicro || bswap32(Magic) == MagicNano) {
    Swap = true;
    Nano = bswap32(Magic) == MagicNano;
  } else if (Magic == MagicPcapng) {
    return Fail("pcapng is not supported; convert it with "
                "'editcap -F pcap IN OUT'");
  } else {
    char Hex[16];
    std::snprintf(Hex, sizeof Hex, "0x%08x", Magic);
    return Fail(std::string("not a pcap file (bad magic ") + Hex + ")");
  }
  if (Buf.size() < GlobalHeaderBytes)
    return Fail("truncated pcap file header (" + std::to_string(Buf.size()) +
                " of 24 bytes)");
  auto U32 = [&](size_t Off) {
    uint32_t V;
    std::memcpy(&V, Buf.data() + Off, 4);
    return Swap ? bswap32(V) : V;
  };
  // The version is two 16-bit fields; the major one comes first.
  uint16_t Major;
  std::memcpy(&Major, Buf.data() + 4, 2);
  if (Swap)
    Major = __builtin_bswap16(Major);
  if (Major != 2)
    return Fail("unsupported pcap version " + std::to_string(Major));
  // The low 16 bits are the link type; the upper bits may carry FCS info.
  uint32_t LinkType = U32(20) & 0xffff;
  if (LinkType != PcapLinkTypeEthernet)
    return Fail("unsupported link type " + std::to_string(LinkType) +
                " (only Ethernet)");

  std::vector<Packet> Packets;
  size_t Off = GlobalHeaderBytes;
  const uint64_t FracToNs = Nano ? 1 : 1000;
  const uint32_t FracLimit = Nano ? 1000000000u : 1000000u;
  while (Off < Buf.size()) {
    size_t Index = Packets.size();
    std::string Rec =
        "record " + std::to_string(Index) + " at byte " + std::to_string(Off);
    if (Buf.size() - Off < RecordHeaderBytes)
      return Fail("truncated record header (" + Rec + ")");
    uint32_t Sec = U32(Off), Frac = U32(Off + 4), InclLen = U32(Off + 8);
    if (Frac >= FracLimit)
      return Fail("bad timestamp fraction " + std::to_string(Frac) + " (" +
                  Rec + ")");
    if (InclLen > MaxRecordBytes)
      return Fail("record length " + std::to_string(InclLen) +
                  " is implausible, file corrupt? (" + Rec + ")");
    Off += RecordHeaderBytes;
    if (Buf.size() - Off < InclLen)
      return Fail("truncated record: " + std::to_string(InclLen) +
                  " bytes announced, " + std::to_string(Buf.size() - Off) +
                  " left (" + Rec + ")");
    Packet P;
    P.TimestampNs = uint64_t(Sec) * 1000000000ULL + uint64_t(Frac) * FracToNs;
    P.Data.assign(Buf.begin() + Off, Buf.begin() + Off + InclLen);
    Packets.push_back(std::move(P));
    Off += InclLen;
  }
  return Packets;
}

bool writePcap(const std::string &Path, const std::vector<Packet> &Packets,
               std::string &Error) {
  File F(std::fopen(Path.c_str(), "wb"));
  if (!F) {
    Error = Path + ": cannot create: " + std::strerror(errno);
    return false;
  }
  std::vector<uint8_t> Out;
  auto Put32 = [&](uint32_t V) {
    uint8_t B[4];
    std::memcpy(B, &V, 4);
    Out.insert(Out.end(), B, B + 4);
  };
  auto Put16 = [&](uint16_t V) {
    uint8_t B[2];
    std::memcpy(B, &V, 2);
    Out.insert(Out.end(), B, B + 2);
  };
  auto Flush = [&]() {
    bool Ok = std::fwrite(Out.data(), 1, Out.size(), F.get()) == Out.size();
    Out.clear();
    return Ok;
  };
  Put32(MagicNano);
  Put16(2);
  Put16(4);
  Put32(0); // thiszone
  Put32(0); // sigfigs
  Put32(MaxRecordBytes);
  Put32(PcapLinkTypeEthernet);
  for (size_t I = 0; I < Packets.size(); ++I) {
    const Packet &P = Packets[I];
    if (P.Data.size() > MaxRecordBytes) {
      Error = Path + ": frame " + std::to_string(I) + " is " +
              std::to_string(P.Data.size()) + " bytes, more than pcap allows";
      return false;
    }
    uint64_t Sec = P.TimestampNs / 1000000000ULL;
    if (Sec > UINT32_MAX) {
      Error = Path + ": timestamp of frame " + std::to_string(I) +
              " does not fit a pcap record";
      return false;
    }
    Put32(uint32_t(Sec));
    Put32(uint32_t(P.TimestampNs % 1000000000ULL));
    Put32(uint32_t(P.Data.size()));
    Put32(uint32_t(P.Data.size()));
    Out.insert(Out.end(), P.Data.begin(), P.Data.end());
    if (Out.size() >= (1u << 20) && !Flush())
      break;
  }
  if (!Flush() || std::fflush(F.get()) != 0) {
    Error = Path + ": write error: " + std::strerror(errno);
    return false;
  }
  return true;
}

} // namespace scrrt
