//===- Layout.h - The SCR metadata layout: the one contract -----*- C++ -*-===//
//
// The layout says which packet-derived values travel in the piggybacked
// history, how each is computed from the raw packet, and where it sits in a
// packed history entry. The compiler builds it; every back end (XDP, P4,
// Verilog) and the runtime (reference sequencer, differential replay) is
// driven by it. It is serialised as scr_layout.json (docs/layout.md).
//
//===----------------------------------------------------------------------===//
#ifndef SCRCC_LAYOUT_H
#define SCRCC_LAYOUT_H

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace scr {

/// Version of the scr_layout.json schema. Bump on any incompatible change.
inline constexpr int LayoutSchemaVersion = 1;
/// Largest ring slot stride a layout may ask for (Layout::SlotBytes).
inline constexpr unsigned MaxSlotBytes = 256;
/// Most replicas a layout may describe (scrcc --cores).
inline constexpr unsigned MaxCores = 1024;
/// Most history slots: the header's `oldest` slot index is 16 bits.
inline constexpr unsigned MaxHistoryLength = 65535;
/// Largest frame the SCR prefix plus an Ethernet header must fit in: the
/// 16-bit length of an IP packet bounds every frame a NIC hands to XDP.
inline constexpr unsigned MaxFrameBytes = 65535;
/// Deepest nesting of a layout expression (an operator inside an operator
/// ... counts one level each). Readers refuse deeper expressions, so the
/// recursive evaluator, comparison and printers below never run out of
/// stack (docs/layout.md#validation).
inline constexpr unsigned MaxExprDepth = 256;
/// Most entries of one core's loss-recovery log.
inline constexpr unsigned MaxLogEntries = 1u << 24;

/// A side-effect-free expression over the raw packet that a sequencer can
/// evaluate. eval(), equals() and str() recurse on Args: a layout's
/// expressions are at most MaxExprDepth deep (Layout::validate).
/// Semantics: 64-bit unsigned wrapping arithmetic; comparisons and
/// logical operators yield 0 or 1; a packet load beyond the end of the frame
/// reads zero bytes (the program itself never reads there on a path where the
/// value matters, because its own bounds checks guard the read).
struct Expr {
  enum class Op {
    Const, // Value
    Pkt,   // big-endian unsigned load of Bytes bytes at byte offset Args[0]
    Len,   // length of the original frame in bytes
    Add,
    Sub,
    Mul,
    And,
    Or,
    Xor,
    Shl,
    Shr, // binary, unsigned 64-bit
    Eq,
    Ne,
    Ult,
    Ule,
    Ugt,
    Uge, // unsigned compares
    Slt,
    Sle,
    Sgt,
    Sge, // signed 64-bit compares
    LAnd,
    LOr, // logical, 0/1
    Not,
    LNot, // unary: bitwise ~, logical !
    Ite   // Args[0] ? Args[1] : Args[2]
  };
  Op K = Op::Const;
  uint64_t Value = 0; // Const
  unsigned Bytes = 0; // Pkt: 1, 2, 4 or 8
  std::vector<std::shared_ptr<const Expr>> Args;

  static std::shared_ptr<const Expr> constant(uint64_t V);
  static std::shared_ptr<const Expr> pkt(std::shared_ptr<const Expr> Off,
                                         unsigned Bytes);
  static std::shared_ptr<const Expr> len();
  static std::shared_ptr<const Expr>
  make(Op K, std::vector<std::shared_ptr<const Expr>> Args);

  /// Evaluates the expression on one frame.
  uint64_t eval(std::span<const uint8_t> Packet) const;
  /// Structural equality (used to deduplicate fields and predicates).
  bool equals(const Expr &O) const;
  /// Human-readable infix form, e.g. "pkt16[12] == 0x800".
  std::string str() const;
};
using ExprRef = std::shared_ptr<const Expr>;

const char *opName(Expr::Op K);
std::optional<Expr::Op> opFromName(const std::string &Name);

/// One step in the explanation of why a field is in the history.
struct Reason {
  std::string Kind;     // "data" or "control"
  std::string Text;     // e.g. "key of map `states`"
  std::string Location; // file:line:col
};

/// One value carried in every history entry.
struct Field {
  enum class Kind {
    Packet,    // raw bytes of the packet, byte order untouched (Bytes long)
    Value,     // an integer value computed by Expr, Bits wide
    Predicate, // a one-bit condition computed by Expr (non-zero -> 1)
    Length,    // frame length in bytes (Bits wide, 16)
    Timestamp  // sequencer timestamp in ns (Bits wide, 48)
  };
  std::string Name; // C identifier, unique within the layout
  Kind K = Kind::Packet;
  unsigned Bits = 0;      // width in the entry
  unsigned BitOffset = 0; // from the most significant bit of entry byte 0
  ExprRef Offset;         // Packet: byte offset of the first byte
  ExprRef Value;          // Value/Predicate: what the sequencer computes
  std::string CType;      // C type the replay uses for it (e.g. "__be32")
  std::vector<Reason> Why;

  /// Computes the field's value for one frame (timestamp: \p TimestampNs).
  uint64_t extract(std::span<const uint8_t> Packet, uint64_t TimestampNs) const;
};

const char *kindName(Field::Kind K);

/// State the program keeps, and what SCR does with it.
struct StateObject {
  std::string Name;
  std::string Kind;     // "map" or "global"
  std::string Original; // original map type, e.g. "BPF_MAP_TYPE_HASH"
  /// Type of the map of this name in the SCR program: the original for
  /// configuration; for written state BPF_MAP_TYPE_ARRAY_OF_MAPS, indexed
  /// by replica, whose map r is replica r's private copy NAME__r<r>.
  std::string Replicated;
  bool Written = false; // false: configuration, stays shared
  /// Written maps: type of each replica's private copy.
  std::string ReplicaType;
};

/// One field of the SCR header: bytes Offset .. Offset + Bytes - 1,
/// big-endian (docs/packet-format.md#scr-header).
struct HeaderField {
  const char *Name; // as in the docs, the C struct, P4 and Verilog
  unsigned Offset;
  unsigned Bytes;
  const char *Meaning;
};

/// The sequencer's header in front of the history (docs/packet-format.md):
/// the one description every back end renders its copy from (the XDP
/// program's `struct scr_hdr`, P4's `scr_h`; the Verilog core's byte
/// order is checked against it).
struct HeaderFormat {
  static constexpr HeaderField Fields[] = {
      {"seq", 0, 4, "frame sequence number"},
      {"hist_seq", 4, 4, "entries written into the ring before this frame"},
      {"ts", 8, 8, "sequencer timestamp, ns"},
      {"oldest", 16, 2, "ring slot of the oldest entry"},
      {"flags", 18, 1, "bit 0: RELEVANT"},
      {"reserved", 19, 1, "zero"},
  };
  static constexpr unsigned Bytes = 20;
  static constexpr unsigned SeqOffset = Fields[0].Offset;
  static constexpr unsigned HistSeqOffset = Fields[1].Offset;
  static constexpr unsigned TimestampOffset = Fields[2].Offset;
  static constexpr unsigned OldestOffset = Fields[3].Offset;
  static constexpr unsigned FlagsOffset = Fields[4].Offset;
  static constexpr unsigned ReservedOffset = Fields[5].Offset;
  static constexpr uint8_t FlagRelevant = 0x1; // this frame's entry is written
  static constexpr unsigned OuterEthernetBytes = 14;
  static constexpr uint16_t OuterEtherType = 0x88B5; // IEEE local experimental

  /// The fields tile the header: each starts where the one before ends.
  static constexpr bool contiguous() {
    unsigned At = 0;
    for (const HeaderField &F : Fields) {
      if (F.Offset != At)
        return false;
      At += F.Bytes;
    }
    return At == Bytes;
  }
};
static_assert(HeaderFormat::contiguous());

enum class SequencerMode { Nic, Tor };

struct Layout {
  int Version = LayoutSchemaVersion;
  std::string Source; // input file name as given
  std::string Entry;  // XDP entry function
  unsigned Cores = 1;
  unsigned HistoryLength = 0; // N: slots in the ring (cores - 1 by default)
  SequencerMode Mode = SequencerMode::Nic;
  uint8_t OuterDst[6] = {0x02, 0, 0, 0, 0, 0x02};
  uint8_t OuterSrc[6] = {0x02, 0, 0, 0, 0, 0x01};
  /// A frame's entry is written into the ring iff this is non-zero. Frames
  /// whose packet cannot reach any state update are left out of the history.
  ExprRef Relevance;
  std::vector<Field> Fields;
  std::vector<StateObject> State;
  unsigned TimestampBits = 48;
  uint64_t PrngSeed = 0x5c3c0ffee5eedULL;
  /// The program reads the clock / random numbers: the SCR program then uses
  /// the sequencer timestamp / the replicated PRNG, and the reference variant
  /// (<stem>.ref.bpf.c) reads them from its `scr_ref_env` map.
  bool UsesTime = false;
  bool UsesPrng = false;
  /// Loss recovery (SCR paper, Algorithm 1): per-core logs of received
  /// history entries that other cores read to fill gaps.
  bool LossRecovery = false;
  unsigned LogEntries = 1024;

  /// Ring slot stride in bytes; 0 packs the slots (entryBits() rounded up to
  /// whole bytes). A larger stride pads each entry with zero bytes: a power
  /// of two lets a hardware sequencer write an entry without rotating it
  /// (docs/verilog.md).
  unsigned SlotBytes = 0;

  unsigned entryBits() const;
  /// Bytes of one ring slot: the packed entry plus any padding.
  unsigned entryBytes() const {
    return std::max((entryBits() + 7) / 8, SlotBytes);
  }
  /// Bytes the sequencer adds in front of the original packet.
  unsigned prefixBytes() const;

  /// Packs the fields of one packet into an entry of entryBytes() bytes.
  std::vector<uint8_t> packEntry(std::span<const uint8_t> Packet,
                                 uint64_t TimestampNs) const;
  /// Reads field \p F back from a packed entry.
  uint64_t unpackField(std::span<const uint8_t> Entry, const Field &F) const;

  /// Assigns BitOffset to every field: byte-sized packet fields first (so the
  /// replay can read them in place), then the rest, widest first.
  void assignOffsets();

  /// Checks every rule of docs/layout.md#validation (ranges, field
  /// placement, names that go into generated code, expression shape and
  /// depth). On failure returns false and sets \p Error to a message that
  /// names the offending member. fromJson() calls it: every reader of a
  /// layout file gets a layout that passed it.
  bool validate(std::string &Error) const;

  /// Resizes the layout for \p K cores with the default history length
  /// K - 1 (as scrcc --cores K does), then validates it.
  bool setCores(unsigned K, std::string &Error);

  std::string toJson() const;
  /// Parses scr_layout.json and validates it; on failure returns nullopt and
  /// sets \p Error.
  static std::optional<Layout> fromJson(const std::string &Text,
                                        std::string &Error);
  static std::optional<Layout> load(const std::string &Path,
                                    std::string &Error);
};

} // namespace scr

#endif
