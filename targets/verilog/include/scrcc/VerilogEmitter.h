//===- VerilogEmitter.h - AXI4-Stream RTL sequencer from a layout -*- C++
//-*-===//
//
// Generates sequencer.v: a synthesisable Verilog-2001 SCR packet-history
// sequencer (top module `scr_sequencer`) with AXI4-Stream input and output,
// producing exactly the frames of docs/packet-format.md. The layout decides
// which fields are extracted and how; docs/verilog.md describes the ports,
// parameters and timing.
//
//===----------------------------------------------------------------------===//
#ifndef SCRCC_VERILOGEMITTER_H
#define SCRCC_VERILOGEMITTER_H

#include "scrcc/Layout.h"

#include <string>

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
};

/// Writes the whole design (layout-specific extractor, top module and the
/// reusable RTL it instantiates) to \p Out. Returns false and sets \p Error,
/// naming the field, if the layout needs something the RTL cannot compute.
bool emitVerilogSequencer(const Layout &L, const VerilogOptions &O,
                          std::string &Out, std::string &Error);

} // namespace scr

#endif
