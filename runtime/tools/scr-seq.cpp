//===- scr-seq.cpp - Run the reference SCR sequencer over a trace
//----------===//
//
// scr-seq --layout OUT/scr_layout.json -i IN.pcap -o OUT.pcap [--per-core K]
//
// Reads an Ethernet pcap, drops runt frames (they never reach XDP), and
// writes the SCR frames of docs/packet-format.md: one file in arrival order,
// or K files OUT.core<i>.pcap where frame i goes to core i mod K.
//
//===----------------------------------------------------------------------===//

#include "scrcli/Options.h"
#include "scrrt/FrameDecoder.h"
#include "scrrt/Pcap.h"
#include "scrrt/Sequencer.h"

#include <cstdio>

using namespace scrrt;

/// Prints the SCR frames of \p Path, one header line and one line per
/// history entry (oldest first: entry hist_seq - N .. hist_seq - 1).
static void dumpFrames(const scrcli::Options &CL, const scr::Layout &L,
                       const std::string &Path, uint64_t MaxFrames) {
  std::string Error;
  auto Frames = readPcap(Path, Error);
  if (!Frames)
    CL.fail(Error);
  for (size_t I = 0; I < Frames->size() && I < MaxFrames; ++I) {
    auto D = decodeFrame(L, (*Frames)[I].Data, Error);
    if (!D)
      CL.fail(Path + ": frame " + std::to_string(I) + ": " + Error);
    if (D->HasOuterEthernet)
      std::printf("frame %zu: outer %02x:%02x:%02x:%02x:%02x:%02x < "
                  "%02x:%02x:%02x:%02x:%02x:%02x type 0x%04x\n",
                  I, D->OuterDst[0], D->OuterDst[1], D->OuterDst[2],
                  D->OuterDst[3], D->OuterDst[4], D->OuterDst[5],
                  D->OuterSrc[0], D->OuterSrc[1], D->OuterSrc[2],
                  D->OuterSrc[3], D->OuterSrc[4], D->OuterSrc[5],
                  D->OuterEtherType);
    std::printf("frame %zu: seq=%u hist_seq=%u ts=%llu oldest=%u relevant=%d "
                "packet=%zu\n",
                I, D->Seq, D->HistSeq, (unsigned long long)D->TimestampNs,
                D->Oldest, int(D->relevant()), D->Packet.size());
    for (unsigned Back = L.HistoryLength; Back >= 1; --Back)
      std::printf(
          "  entry %u (slot %u): %s\n", D->HistSeq - Back,
          unsigned((D->Oldest + L.HistoryLength - Back) % L.HistoryLength),
          formatEntry(L, D->entryBack(Back)).c_str());
  }
}

/// OUT.pcap -> OUT.core<i>.pcap (or OUT.core<i>.pcap appended otherwise).
static std::string coreFileName(const std::string &Out, unsigned Core) {
  std::string Stem = Out;
  const std::string Ext = ".pcap";
  if (Stem.size() > Ext.size() &&
      Stem.compare(Stem.size() - Ext.size(), Ext.size(), Ext) == 0)
    Stem.resize(Stem.size() - Ext.size());
  return Stem + ".core" + std::to_string(Core) + Ext;
}

int main(int Argc, char **Argv) {
  std::string LayoutPath, In, Out, Dump;
  uint64_t MaxFrames = UINT64_MAX;
  uint64_t PerCore = 0, InitialSeq = 0, InitialHistSeq = 0;
  bool Stats = false;
  scrcli::Options CL(
      {"scr-seq",
       "reference SCR sequencer (docs/packet-format.md)",
       {"(--layout FILE | --scr DIR) -i IN.pcap -o OUT.pcap [options]",
        "(--layout FILE | --scr DIR) --dump SCR.pcap"},
       "Frames shorter than 14 bytes are removed before sequencing (they "
       "never\nreach an XDP program, so they take no sequence number); a note "
       "says how\nmany.",
       {"layout schema version " + std::to_string(scr::LayoutSchemaVersion)}});
  CL.addString("layout", "FILE", "scr_layout.json written by scrcc",
               LayoutPath);
  CL.addCustom("scr", "DIR", "shortcut for --layout DIR/scr_layout.json",
               [&](const std::string &V) {
                 LayoutPath = V + "/scr_layout.json";
                 return std::string();
               });
  CL.addString("i,input", "FILE", "input trace (Ethernet pcap, us or ns)", In);
  CL.addString("o,output", "FILE", "output trace of SCR frames (ns pcap)", Out);
  CL.addNumber("per-core", "K",
               "write K files OUT.core<i>.pcap instead; frame i goes to core "
               "i mod K (round-robin spraying)",
               PerCore, 1, 65536);
  CL.addNumber("initial-seq", "N",
               "start seq at N instead of 0 (tests wrap-around)", InitialSeq, 0,
               UINT32_MAX);
  CL.addNumber("initial-hist-seq", "N", "start hist_seq at N instead of 0",
               InitialHistSeq, 0, UINT32_MAX);
  CL.addFlag("stats", "print frame and relevance counts to stderr", Stats);
  CL.addString("dump", "FILE",
               "instead of sequencing, print the SCR frames in FILE (headers "
               "and history entries, oldest first)",
               Dump);
  CL.addNumber("frames", "N", "with --dump: only the first N frames", MaxFrames,
               0, UINT64_MAX);
  if (auto Exit = CL.parse(Argc, Argv))
    return *Exit;
  if (LayoutPath.empty())
    CL.usageError("no layout given (use --layout FILE or --scr DIR)");
  std::string Error;
  if (!Dump.empty()) {
    auto L = scr::Layout::load(LayoutPath, Error);
    if (!L)
      CL.fail(Error);
    dumpFrames(CL, *L, Dump, MaxFrames);
    return 0;
  }
  if (In.empty())
    CL.usageError("no input trace given (use -i IN.pcap)");
  if (Out.empty())
    CL.usageError("no output given (use -o OUT.pcap)");

  auto L = scr::Layout::load(LayoutPath, Error);
  if (!L)
    CL.fail(Error);
  auto Packets = readPcap(In, Error);
  if (!Packets)
    CL.fail(Error);
  if (size_t Runts = dropRuntFrames(*Packets))
    CL.note("skipped " + std::to_string(Runts) +
            " runt frame(s) shorter than 14 bytes");

  Sequencer S(*L, uint32_t(InitialSeq), uint32_t(InitialHistSeq));
  std::vector<std::vector<Packet>> Outputs(PerCore ? PerCore : 1);
  for (auto &O : Outputs)
    O.reserve(Packets->size() / Outputs.size() + 1);
  uint64_t Relevant = 0;
  for (size_t I = 0; I < Packets->size(); ++I) {
    const Packet &P = (*Packets)[I];
    Sequencer::Frame F = S.next(P);
    Relevant += F.Relevant;
    Outputs[I % Outputs.size()].push_back({P.TimestampNs, std::move(F.Bytes)});
  }
  if (PerCore) {
    for (unsigned C = 0; C < PerCore; ++C)
      if (!writePcap(coreFileName(Out, C), Outputs[C], Error))
        CL.fail(Error);
  } else if (!writePcap(Out, Outputs[0], Error)) {
    CL.fail(Error);
  }
  if (Stats)
    std::fprintf(stderr,
                 "scr-seq: %zu frames, %llu relevant, N=%u, entry %u bytes, "
                 "prefix %u bytes\n",
                 Packets->size(), (unsigned long long)Relevant,
                 L->HistoryLength, L->entryBytes(), L->prefixBytes());
  return 0;
}
