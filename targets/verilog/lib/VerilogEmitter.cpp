//===- VerilogEmitter.cpp - AXI4-Stream RTL sequencer from a layout -------===//
//
// The design is the reusable RTL of rtl/ (embedded at build time, written
// one module a file, the same files for every layout), and sequencer.v: the
// layout-specific extractor `scr_extract` (the loads taken from the
// streaming head and registered, the relevance and the packed history entry
// as combinational logic) and the top module `scr_sequencer` that ties them
// together with the layout's defaults as parameters. sequencer.f lists the
// files in compile order.
//
//===----------------------------------------------------------------------===//

#include "scrcc/VerilogEmitter.h"
#include "scrcc/Spdx.h"

#include "ExprHardware.h"

#include <algorithm>
#include <cstdio>
#include <utility>

namespace scr {

namespace {

const std::pair<const char *, const char *> RtlLibrary[] = {
#include "RtlLibrary.inc"
};

std::string macParam(const uint8_t M[6]) {
  char B[24];
  std::snprintf(B, sizeof B, "48'h%02x%02x%02x%02x%02x%02x", M[0], M[1], M[2],
                M[3], M[4], M[5]);
  return B;
}

std::string u(unsigned V) { return std::to_string(V); }

/// Auto ring style: block RAM from this many prefix beats (merge beat
/// included) on; see verilogRingInRam.
constexpr unsigned RingRamMinBeats = 11;

/// The layout-specific half of the design.
class ExtractorEmitter {
public:
  ExtractorEmitter(const Layout &L, const VerilogOptions &O)
      : L(L), O(O), Lower(O.MaxHeadBytes) {}

  bool emit(std::string &Out, unsigned &HeadBytes, std::string &Error);

private:
  bool lowerField(const Field &F, std::string &Error);

  const Layout &L;
  const VerilogOptions &O;
  verilog::ExprLowering Lower;
  std::string FieldCode;
};

bool ExtractorEmitter::lowerField(const Field &F, std::string &Error) {
  std::string Name = "f_" + F.Name, Value;
  std::string Why;
  Lower.setScope(F.Name);
  switch (F.K) {
  case Field::Kind::Packet: {
    auto V = Lower.lowerLoad(*F.Offset, F.Bits / 8, "pkt_len", Why);
    if (!V)
      break;
    Value = *V + "[" + u(F.Bits - 1) + ":0]";
    break;
  }
  case Field::Kind::Value: {
    auto V = Lower.lower(*F.Value, "pkt_len", Why);
    if (!V)
      break;
    Value = *V + "[" + u(F.Bits - 1) + ":0]";
    break;
  }
  case Field::Kind::Predicate: {
    auto V = Lower.lower(*F.Value, "pkt_len", Why);
    if (!V)
      break;
    if (F.Bits == 1)
      Value = "(" + *V + " != 64'd0)";
    else
      Value = "{" + u(F.Bits - 1) + "'d0, " + *V + " != 64'd0}";
    break;
  }
  case Field::Kind::Length:
    Value = "len64[" + u(F.Bits - 1) + ":0]";
    break;
  case Field::Kind::Timestamp:
    Value = "ts64[" + u(F.Bits - 1) + ":0]";
    break;
  }
  if (!Why.empty()) {
    Error = "field '" + F.Name + "' (" + kindName(F.K) + "): " + Why;
    return false;
  }
  FieldCode +=
      "  wire [" + u(F.Bits - 1) + ":0] " + Name + " = " + Value + ";\n";
  return true;
}

bool ExtractorEmitter::emit(std::string &Out, unsigned &HeadBytes,
                            std::string &Error) {
  // Relevance: decided on the head, so the frame length only in comparisons
  // with bounded values (constants or head-byte expressions such as the end
  // of the L4 header); `head_len` caps the length just above every bound.
  unsigned LenHead = 0;
  std::string Relevance = "1'b1";
  if (L.Relevance) {
    std::string Why;
    if (!verilog::checkHeadLength(*L.Relevance, LenHead, Why)) {
      Error = "relevance " + Why;
      return false;
    }
    if (LenHead > O.MaxHeadBytes) {
      Error = "relevance compares the frame length with values up to " +
              u(LenHead - 1) +
              ", but the Verilog sequencer decides within "
              "the first " +
              u(O.MaxHeadBytes) + " bytes";
      return false;
    }
    Lower.setScope("relevance");
    auto V = Lower.lower(*L.Relevance, "head_len", Why);
    if (!V) {
      Error = "relevance: " + Why;
      return false;
    }
    Relevance = *V + " != 64'd0";
  }
  std::string RelevanceCode = Lower.code();

  for (const Field &F : L.Fields)
    if (!lowerField(F, Error))
      return false;
  std::string ExprCode = Lower.code().substr(RelevanceCode.size());

  // Which field bit lands on each entry bit (MSB-first, docs/packet-format).
  unsigned EntryBits = L.entryBits(), EntryBytes = L.entryBytes();
  std::vector<std::string> Bit(EntryBytes * 8, "1'b0");
  for (const Field &F : L.Fields) // no overlaps: Layout::validate
    for (unsigned I = 0; I < F.Bits; ++I) {
      unsigned P = F.BitOffset + I;
      Bit[P] = "f_" + F.Name + "[" + u(F.Bits - 1 - I) + "]";
    }
  (void)EntryBits;

  const std::set<unsigned> &Bytes = Lower.bytesRead();
  HeadBytes = std::max(LenHead, Bytes.empty() ? 0u : *Bytes.rbegin() + 1);
  HeadBytes = std::max(HeadBytes, 1u);

  std::string S;
  S += "// scr_extract: what the layout reads from a frame. It registers the\n"
       "// values the layout loads from the head (zero past the frame's end),\n"
       "// and computes the relevance (from those; `head_len` is the length\n"
       "// capped at HEAD_BYTES) and the packed history entry (after the last\n"
       "// beat).\n"
       "// It reads only the bytes and values the layout names, and its\n"
       "// expression nodes are 64 bits wide (the layout's semantics);\n"
       "// synthesis trims whatever nobody reads.\n"
       "/* verilator lint_off UNUSEDSIGNAL */\n"
       "module scr_extract #(\n"
       "    parameter DATA_WIDTH  = " +
       u(O.DataWidth) +
       ",\n"
       "    parameter TS_BITS     = " +
       u(L.TimestampBits) +
       ",\n"
       "    parameter ENTRY_BYTES = " +
       u(EntryBytes) +
       "\n"
       ") (\n"
       "    input  wire                     clk,\n"
       "    input  wire                     in_fire,\n"
       "    input  wire                     head_done,\n"
       "    input  wire [              7:0] in_beat,\n"
       "    input  wire [   DATA_WIDTH-1:0] in_data,\n"
       "    input  wire [ DATA_WIDTH/8-1:0] in_keep,\n"
       "    input  wire [             15:0] head_len,\n"
       "    input  wire [             15:0] pkt_len,\n"
       "    input  wire [      TS_BITS-1:0] pkt_ts,\n"
       "    output wire                     relevant,\n"
       "    output wire [ENTRY_BYTES*8-1:0] entry\n"
       ");\n"
       "  localparam W = DATA_WIDTH / 8;\n"
       "  localparam HEAD_LAST_BEAT = (" +
       u(HeadBytes) +
       " - 1) / W;\n"
       "  wire [63:0] len64 = {48'd0, pkt_len};\n"
       "  wire [63:0] ts64 = {{(64 - TS_BITS) {1'b0}}, pkt_ts};\n\n";
  // Every load is registered at `head_done` (ExprHardware.h); these wires
  // show the head as it streams past. Only bytes of head beats before the
  // last one are held in registers (none on a 1024-bit bus).
  S += "  // The head as it streams past: byte n of the frame and whether the\n"
       "  // frame has it (bytes of earlier head beats are held).\n";
  for (unsigned B : Bytes) {
    std::string N = verilog::ExprLowering::byteName(B);
    std::string Beat = N + "_BEAT[7:0]";
    std::string Lane = "in_data[(" + u(B) + " % W)*8+:8]";
    S += "  localparam integer " + N + "_BEAT = " + u(B) + " / W;\n" +
         "  wire [7:0] " + N + ";\n" + "  wire " + N +
         "_v = in_beat == " + Beat + " ? in_keep[" + u(B) + " % W] : " + Beat +
         " < in_beat;\n"
         "  generate\n"
         "    if (" +
         N + "_BEAT < HEAD_LAST_BEAT) begin : g_" + N +
         "\n"
         "      reg [7:0] held;\n"
         "      always @(posedge clk) if (in_fire && in_beat == " +
         Beat + ") held <= " + Lane +
         ";\n"
         "      assign " +
         N + " = in_beat == " + Beat + " ? " + Lane +
         " : held;\n"
         "    end else begin : g_" +
         N + "\n      assign " + N + " = " + Lane +
         ";\n"
         "    end\n"
         "  endgenerate\n";
  }
  S += "\n  // Relevance: " + (L.Relevance ? L.Relevance->str() : "1") + "\n";
  S += RelevanceCode;
  S += "  assign relevant = " + Relevance + ";\n\n  // Fields\n";
  for (const Field &F : L.Fields) {
    S += "  //   " + F.Name + " (" + kindName(F.K) + ", bits " +
         u(F.BitOffset) + ".." + u(F.BitOffset + F.Bits - 1) + ")";
    if (F.K == Field::Kind::Packet)
      S += ": pkt" + u(F.Bits) + "[" + F.Offset->str() + "]";
    if (F.K == Field::Kind::Value || F.K == Field::Kind::Predicate)
      S += ": " + F.Value->str();
    S += "\n";
  }
  S += ExprCode + FieldCode;
  S += "\n"
       "  // The entry, byte n at bits [8n+7:8n]; within a byte the first\n"
       "  // entry bit is the most significant.\n";
  for (unsigned B = 0; B < EntryBytes; ++B) {
    S += "  assign entry[" + u(8 * B + 7) + ":" + u(8 * B) + "] = {";
    for (unsigned I = 0; I < 8; ++I)
      S += (I ? ", " : "") + Bit[8 * B + I];
    S += "};\n";
  }
  S += "  generate\n"
       "    if (ENTRY_BYTES > " +
       u(EntryBytes) +
       ") begin : g_pad\n"
       "      assign entry[ENTRY_BYTES*8-1:" +
       u(EntryBytes * 8) + "] = {(ENTRY_BYTES*8-" + u(EntryBytes * 8) +
       "){1'b0}};\n"
       "    end\n"
       "  endgenerate\n"
       "endmodule\n"
       "/* verilator lint_on UNUSEDSIGNAL */\n\n";
  Out += S;
  return true;
}

std::string topModule(const Layout &L, const VerilogOptions &O,
                      unsigned HeadBytes) {
  bool Tor = L.Mode == SequencerMode::Tor;
  std::string S;
  S += "// scr_sequencer: the SCR packet-history sequencer for this layout.\n"
       "// HIST_DEPTH and ENTRY_BITS must match what the cores were built for\n"
       "// (scr_layout.json); ENTRY_BITS may grow (the entry is zero-padded),\n"
       "// never shrink below the layout's " +
       u(L.entryBits()) +
       " bits.\n"
       "module scr_sequencer #(\n"
       "    parameter        HIST_DEPTH      = " +
       u(L.HistoryLength) +
       ",\n"
       "    parameter        ENTRY_BITS      = " +
       // A padded slot (layout entry.bytes) is the stride the cores use.
       u(L.SlotBytes ? L.entryBytes() * 8 : L.entryBits()) +
       ",\n"
       "    parameter        DATA_WIDTH      = " +
       u(O.DataWidth) +
       ",\n"
       "    parameter        OUTER_ETH       = " +
       (Tor ? "1" : "0") +
       ",\n"
       "    parameter [47:0] OUTER_DST       = " +
       macParam(L.OuterDst) +
       ",\n"
       "    parameter [47:0] OUTER_SRC       = " +
       macParam(L.OuterSrc) +
       ",\n"
       "    parameter        TUSER_WIDTH     = " +
       u(O.TuserWidth) +
       ",\n"
       "    parameter        TS_BITS         = " +
       u(L.TimestampBits) +
       ",\n"
       "    parameter        FIFO_DEPTH_LOG2 = " +
       u(O.FifoDepthLog2) +
       ",\n"
       "    // 1: the history ring in block RAM, 0: in flip-flops.\n"
       "    parameter        RING_RAM        = " +
       (verilogRingInRam(L, O) ? "1" : "0") +
       "\n"
       ") (\n"
       "    input  wire                    clk,\n"
       "    input  wire                    rst,\n"
       "    // Free-running ns clock, sampled at the first beat of a frame.\n"
       "    input  wire [     TS_BITS-1:0] timestamp,\n"
       "    input  wire [  DATA_WIDTH-1:0] s_axis_tdata,\n"
       "    input  wire [DATA_WIDTH/8-1:0] s_axis_tkeep,\n"
       "    input  wire                    s_axis_tlast,\n"
       "    input  wire [ TUSER_WIDTH-1:0] s_axis_tuser,\n"
       "    input  wire                    s_axis_tvalid,\n"
       "    output wire                    s_axis_tready,\n"
       "    output wire [  DATA_WIDTH-1:0] m_axis_tdata,\n"
       "    output wire [DATA_WIDTH/8-1:0] m_axis_tkeep,\n"
       "    output wire                    m_axis_tlast,\n"
       "    output wire [ TUSER_WIDTH-1:0] m_axis_tuser,\n"
       "    output wire                    m_axis_tvalid,\n"
       "    input  wire                    m_axis_tready\n"
       ");\n"
       "  localparam ENTRY_BYTES = (ENTRY_BITS + 7) / 8;\n"
       "  // Bytes from the frame start the extractor needs before deciding.\n"
       "  localparam HEAD_BYTES = " +
       u(HeadBytes) +
       ";\n\n"
       "  generate\n"
       "    if (ENTRY_BITS < " +
       u(L.entryBits()) +
       ") begin : g_check\n"
       "      // Elaboration fails here on purpose: the layout's fields need\n"
       "      // more bits.\n"
       "      scr_sequencer_ENTRY_BITS_is_smaller_than_the_layout_entry u_fail "
       "();\n"
       "    end\n"
       "  endgenerate\n\n"
       "  wire in_fire, head_done, relevant;\n"
       "  wire [7:0] in_beat;\n"
       "  wire [15:0] head_len, pkt_len;\n"
       "  wire [TS_BITS-1:0] pkt_ts;\n"
       "  wire [ENTRY_BYTES*8-1:0] entry;\n\n"
       "  scr_seq_core #(\n"
       "      .DATA_WIDTH(DATA_WIDTH),\n"
       "      .TUSER_WIDTH(TUSER_WIDTH),\n"
       "      .TS_BITS(TS_BITS),\n"
       "      .HIST_DEPTH(HIST_DEPTH),\n"
       "      .ENTRY_BYTES(ENTRY_BYTES),\n"
       "      .OUTER_ETH(OUTER_ETH),\n"
       "      .OUTER_DST(OUTER_DST),\n"
       "      .OUTER_SRC(OUTER_SRC),\n"
       "      .HEAD_BYTES(HEAD_BYTES),\n"
       "      .FIFO_DEPTH_LOG2(FIFO_DEPTH_LOG2),\n"
       "      .RING_RAM(RING_RAM)\n"
       "  ) u_core (\n"
       "      .clk(clk),\n"
       "      .rst(rst),\n"
       "      .timestamp(timestamp),\n"
       "      .s_axis_tdata(s_axis_tdata),\n"
       "      .s_axis_tkeep(s_axis_tkeep),\n"
       "      .s_axis_tlast(s_axis_tlast),\n"
       "      .s_axis_tuser(s_axis_tuser),\n"
       "      .s_axis_tvalid(s_axis_tvalid),\n"
       "      .s_axis_tready(s_axis_tready),\n"
       "      .m_axis_tdata(m_axis_tdata),\n"
       "      .m_axis_tkeep(m_axis_tkeep),\n"
       "      .m_axis_tlast(m_axis_tlast),\n"
       "      .m_axis_tuser(m_axis_tuser),\n"
       "      .m_axis_tvalid(m_axis_tvalid),\n"
       "      .m_axis_tready(m_axis_tready),\n"
       "      .in_fire(in_fire),\n"
       "      .head_done(head_done),\n"
       "      .in_beat(in_beat),\n"
       "      .head_len(head_len),\n"
       "      .pkt_len(pkt_len),\n"
       "      .pkt_ts(pkt_ts),\n"
       "      .relevant(relevant),\n"
       "      .entry(entry)\n"
       "  );\n\n"
       "  scr_extract #(\n"
       "      .DATA_WIDTH(DATA_WIDTH),\n"
       "      .TS_BITS(TS_BITS),\n"
       "      .ENTRY_BYTES(ENTRY_BYTES)\n"
       "  ) u_extract (\n"
       "      .clk(clk),\n"
       "      .in_fire(in_fire),\n"
       "      .head_done(head_done),\n"
       "      .in_beat(in_beat),\n"
       "      .in_data(s_axis_tdata),\n"
       "      .in_keep(s_axis_tkeep),\n"
       "      .head_len(head_len),\n"
       "      .pkt_len(pkt_len),\n"
       "      .pkt_ts(pkt_ts),\n"
       "      .relevant(relevant),\n"
       "      .entry(entry)\n"
       "  );\n"
       "endmodule\n";
  return S;
}

} // namespace

bool verilogRingRamPossible(const Layout &L, unsigned DataWidth,
                            std::string &Why) {
  unsigned W = DataWidth / 8;
  unsigned RingOffset =
      (L.Mode == SequencerMode::Tor ? HeaderFormat::OuterEthernetBytes : 0) +
      HeaderFormat::Bytes;
  if (L.prefixBytes() < W) {
    Why = "the prefix (" + u(L.prefixBytes()) + " bytes) fits in one " + u(W) +
          "-byte beat";
    return false;
  }
  if (RingOffset >= W) {
    Why = "the header does not fit in the first beat";
    return false;
  }
  if (L.entryBytes() + 8 > W) {
    Why = "an entry (" + u(L.entryBytes()) + " bytes) is wider than " +
          u(W - 8) + " bytes";
    return false;
  }
  return true;
}

bool verilogRingInRam(const Layout &L, const VerilogOptions &O) {
  std::string Why;
  if (O.Ring == VerilogOptions::RingStyle::FlipFlops ||
      !verilogRingRamPossible(L, O.DataWidth, Why))
    return false;
  if (O.Ring == VerilogOptions::RingStyle::BlockRam)
    return true;
  // Auto: flip-flops cost N x entry bits and an output multiplexer whose
  // fan-in is the prefix beats. Block RAM costs almost no flip-flops; its
  // write needs a multiplexer per lane over the entry bytes that can land
  // there (up to 3 LUTs per bit) unless the slot stride divides the beat,
  // when every lane always takes the same entry byte. LUTs are the scarcer
  // resource; measured (docs/verilog.md), block RAM needs fewer of them
  // with such a stride always, otherwise from about this many prefix beats
  // on.
  unsigned W = O.DataWidth / 8;
  if (W % L.entryBytes() == 0)
    return true;
  return (L.prefixBytes() + W - 1) / W >= RingRamMinBeats;
}

bool emitVerilogDesign(const Layout &L, const VerilogOptions &O,
                       VerilogFiles &Out, std::string &Error) {
  if (O.DataWidth < 256 || O.DataWidth % 64) {
    Error = "data width " + u(O.DataWidth) +
            " is not supported (a multiple of 64 bits, at least 256)";
    return false;
  }
  if (L.HistoryLength == 0) {
    Error = "history_length is 0: a single core needs no sequencer";
    return false;
  }
  if (L.Fields.empty()) {
    Error = "the layout has no history fields: there is nothing to sequence";
    return false;
  }
  if (!L.validate(Error))
    return false;
  if (L.TimestampBits > 63) {
    Error = "timestamp_bits is " + u(L.TimestampBits) +
            "; the Verilog sequencer's clock has at most 63 bits";
    return false;
  }
  if (O.FifoDepthLog2 < 1 || O.FifoDepthLog2 > 6) {
    Error = "FIFO depth log2 must be 1..6";
    return false;
  }
  std::string Why;
  if (O.Ring == VerilogOptions::RingStyle::BlockRam &&
      !verilogRingRamPossible(L, O.DataWidth, Why)) {
    Error = "the history ring cannot be in block RAM: " + Why;
    return false;
  }
  std::string Extractor;
  unsigned HeadBytes = 0;
  ExtractorEmitter E(L, O);
  if (!E.emit(Extractor, HeadBytes, Error))
    return false;

  std::string S;
  S += spdxLine();
  S += "// sequencer.v: SCR packet-history sequencer (AXI4-Stream), generated\n"
       "// by scrcc from " +
       (L.Source.empty() ? "a layout" : L.Source) +
       ". Do not edit.\n"
       "// The layout's modules; the library modules they instantiate are in\n"
       "// files of their own, all listed in sequencer.f in compile order.\n"
       "/* verilator lint_off DECLFILENAME */\n"
       "//\n"
       "// Cores " +
       u(L.Cores) + ", history " + u(L.HistoryLength) + " entries of " +
       u(L.entryBits()) + " bits (" + u(L.entryBytes()) + " bytes), prefix " +
       u(L.prefixBytes()) + " bytes, mode " +
       (L.Mode == SequencerMode::Tor ? "tor" : "nic") +
       ".\n// Frame format: docs/packet-format.md; integration: "
       "docs/verilog.md.\n\n`default_nettype none\n\n";
  S += Extractor + topModule(L, O, HeadBytes) + "\n`default_nettype wire\n";
  // The library is the same for every layout: two sequencers in one design
  // share its files.
  VerilogFiles Files;
  std::string List;
  for (const auto &[Name, Text] : RtlLibrary) {
    Files.push_back({Name, spdxLine() +
                               "// Copied by scrcc from "
                               "targets/verilog/rtl/" +
                               Name + ".\n" + Text});
    List += std::string(Name) + "\n";
  }
  Files.push_back({SequencerFile, std::move(S)});
  List += std::string(SequencerFile) + "\n";
  Files.push_back({FileListFile, std::move(List)});
  Out = std::move(Files);
  return true;
}

} // namespace scr
