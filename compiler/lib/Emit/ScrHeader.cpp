//===- ScrHeader.cpp - The SCR header as C, for the XDP program -----------===//

#include "ScrHeader.h"

namespace scrcc {

namespace {

const char *cType(unsigned Bytes) {
  switch (Bytes) {
  case 1:
    return "__u8";
  case 2:
    return "__be16";
  case 4:
    return "__be32";
  default:
    return "__be64";
  }
}

} // namespace

std::string scrHeaderC(scr::SequencerMode Mode) {
  using scr::HeaderFormat;
  static_assert(
      [] {
        for (const scr::HeaderField &F : HeaderFormat::Fields)
          if (F.Bytes != 1 && F.Bytes != 2 && F.Bytes != 4 && F.Bytes != 8)
            return false;
        return true;
      }(),
      "every SCR header field must be a C integer type");
  bool Tor = Mode == scr::SequencerMode::Tor;
  std::string O;
  O += "#define SCR_OUTER_BYTES " +
       std::to_string(Tor ? HeaderFormat::OuterEthernetBytes : 0) + "\n";
  O += "#define SCR_HDR_BYTES " + std::to_string(HeaderFormat::Bytes) + "\n";
  O += "#define SCR_PREFIX_BYTES (SCR_OUTER_BYTES + SCR_HDR_BYTES + "
       "SCR_HISTORY_LEN * SCR_ENTRY_BYTES)\n";
  O += "#define SCR_FLAG_RELEVANT " +
       std::to_string(unsigned(HeaderFormat::FlagRelevant)) + "\n\n";
  O += "/* docs/packet-format.md#scr-header, big-endian. */\n";
  O += "struct scr_hdr {\n";
  for (const scr::HeaderField &F : HeaderFormat::Fields)
    O += "\t" + std::string(cType(F.Bytes)) + " " + F.Name + ";\t/* " +
         F.Meaning + " */\n";
  O += "} __attribute__((packed, aligned(4)));\n"
       "/* aligned(4): sizeof stays 20, but its fields are read with one "
       "load each,\n"
       " * not byte by byte (which LLVM does for a packed struct: BPF has "
       "no unaligned\n"
       " * loads in its model; the verifier and the JITs of x86-64 and arm64 "
       "take\n"
       " * them). */\n";
  for (const scr::HeaderField &F : HeaderFormat::Fields)
    O += "_Static_assert(__builtin_offsetof(struct scr_hdr, " +
         std::string(F.Name) + ") == " + std::to_string(F.Offset) +
         ", \"SCR header layout\");\n";
  O += "_Static_assert(sizeof(struct scr_hdr) == SCR_HDR_BYTES, \"SCR header "
       "size\");\n\n";
  return O;
}

} // namespace scrcc
