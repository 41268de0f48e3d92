//===- Pcap.h - Reading and writing pcap trace files -------------*- C++
//-*-===//
//
// Traces are classic pcap files (not pcapng) of Ethernet frames. The reader
// accepts micro- and nanosecond resolution in either byte order and refuses
// anything it cannot represent exactly, with an error that names the file.
//
//===----------------------------------------------------------------------===//
#ifndef SCRRT_PCAP_H
#define SCRRT_PCAP_H

#include "scrrt/Packet.h"

#include <optional>
#include <string>
#include <vector>

namespace scrrt {

/// LINKTYPE_ETHERNET: the only link type the runtime handles.
inline constexpr uint32_t PcapLinkTypeEthernet = 1;

/// Reads an Ethernet (LINKTYPE_ETHERNET) pcap file, micro- or nanosecond
/// resolution, either byte order. Any other link type, a truncated file or
/// record, or a non-pcap file gives nullopt and sets \p Error, e.g.
/// "trace.pcap: unsupported link type 113 (only Ethernet)".
std::optional<std::vector<Packet>> readPcap(const std::string &Path,
                                            std::string &Error);

/// Writes a nanosecond-resolution Ethernet pcap (native byte order,
/// snaplen 262144, frames never truncated). On failure returns false and sets
/// \p Error.
bool writePcap(const std::string &Path, const std::vector<Packet> &Packets,
               std::string &Error);

} // namespace scrrt

#endif
