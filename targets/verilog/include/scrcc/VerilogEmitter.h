//===- VerilogEmitter.h - AXI4-Stream RTL sequencer from a layout -*- C++
//-*-===//
//
// Generates a synthesisable Verilog-2001 SCR packet-history sequencer (top
// module `scr_sequencer` in sequencer.v, its library modules in files of
// their own, sequencer.f listing them) with AXI4-Stream input and output,
// producing exactly the frames of docs/packet-format.md. The layout decides
// which fields are extracted and how; docs/verilog.md describes the ports,
// parameters and timing.
//
//===----------------------------------------------------------------------===//
#ifndef SCRCC_VERILOGEMITTER_H
#define SCRCC_VERILOGEMITTER_H

#include "scrcc/Layout.h"

#include <string>
#include <utility>
#include <vector>

namespace scr {

struct VerilogOptions {
  /// Default of the DATA_WIDTH parameter (AXI4-Stream tdata bits): 512 or
  /// 1024 (any multiple of 64 from 256 up works).
  unsigned DataWidth = 1024;
  /// Default of TUSER_WIDTH (NetFPGA-PLUS uses 128).
  unsigned TuserWidth = 128;
  /// Fields, predicates and the relevance may read at most this many bytes
  /// from the start of the frame; the sequencer holds them while it decides.
  unsigned MaxHeadBytes = 128;
  /// log2 of the input FIFO depth in beats.
  unsigned FifoDepthLog2 = 2;
  /// Where the history ring lives (the RING_RAM parameter). Auto picks
  /// block RAM when it is possible and the ring fills at least
  /// RingRamMinRows output beats (docs/verilog.md), flip-flops otherwise.
  enum class RingStyle { Auto, BlockRam, FlipFlops };
  RingStyle Ring = RingStyle::Auto;
};

/// Whether the ring of \p L can live in block RAM at \p DataWidth: the
/// prefix fills at least one whole beat, the header lies in the first beat
/// and an entry is at most DataWidth/8 - 8 bytes. If not, \p Why says why.
bool verilogRingRamPossible(const Layout &L, unsigned DataWidth,
                            std::string &Why);
/// The RING_RAM default the generator emits for \p L under \p O.
bool verilogRingInRam(const Layout &L, const VerilogOptions &O);

/// The files of a design, name and contents, in compile order.
using VerilogFiles = std::vector<std::pair<std::string, std::string>>;
/// The layout's modules (extractor and top module `scr_sequencer`).
inline constexpr const char *SequencerFile = "sequencer.v";
/// The design's files, one a line, in compile order (`verilator -f`,
/// `iverilog -c`, a vendor tool's file list).
inline constexpr const char *FileListFile = "sequencer.f";

/// The whole design: the library modules of targets/verilog/rtl, one file
/// each (the same files for every layout), SequencerFile and FileListFile.
/// Returns false and sets \p Error, naming the field, if the layout needs
/// something the RTL cannot compute.
bool emitVerilogDesign(const Layout &L, const VerilogOptions &O,
                       VerilogFiles &Out, std::string &Error);

} // namespace scr

#endif
