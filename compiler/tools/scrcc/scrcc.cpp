//===- scrcc.cpp - The scrcc driver
//-----------------------------------------===//
//
// scrcc INPUT.bpf.c --cores N -o OUTDIR [options] [-- clang args]
//
// Parses the XDP program with Clang (-target bpf), finds the state it keeps
// and the packet fields its state updates depend on, and writes the SCR
// layout, the SCR-aware XDP program, its reference variant, and (when built
// in) the P4 and Verilog sequencers. Nothing is written if anything fails.
//
//===----------------------------------------------------------------------===//

#include "../../lib/Analysis/PacketEvaluator.h"
#include "../../lib/Analysis/Program.h"
#include "../../lib/Analysis/Replication.h"
#include "../../lib/Analysis/Slicer.h"
#include "../../lib/Emit/XdpEmitter.h"
#include "scrcc/BpfTarget.h"
#include "scrcc/Layout.h"
#include "scrcc/OutputFiles.h"
#ifdef SCRCC_HAVE_P4
#include "scrcc/P4Emitter.h"
#endif
#ifdef SCRCC_HAVE_VERILOG
#include "scrcc/VerilogEmitter.h"
#endif

#include "clang/Frontend/ASTUnit.h"
#include "clang/Tooling/CommonOptionsParser.h"
#include "clang/Tooling/Tooling.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/thread.h"

#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

using namespace clang;
using namespace llvm;

#ifndef SCRCC_VERSION
#define SCRCC_VERSION "0.1.0"
#endif
#ifndef SCRCC_CLANG_RESOURCE_DIR
#define SCRCC_CLANG_RESOURCE_DIR "/usr/lib/llvm-19/lib/clang/19"
#endif

static cl::OptionCategory Cat("scrcc options");
static cl::opt<unsigned> Cores("cores",
                               cl::desc("Number of CPU cores (replicas)"),
                               cl::value_desc("N"), cl::init(0), cl::cat(Cat));
static cl::opt<std::string> OutDir("o", cl::desc("Output directory"),
                                   cl::value_desc("OUTDIR"), cl::cat(Cat));
static cl::opt<std::string> Entry("entry",
                                  cl::desc("XDP entry function (default: the "
                                           "only SEC(\"xdp\") function)"),
                                  cl::value_desc("FUNC"), cl::cat(Cat));
static cl::opt<std::string> Seq("sequencer",
                                cl::desc("Sequencer placement: nic (default) "
                                         "or tor (adds an outer Ethernet "
                                         "header)"),
                                cl::init("nic"), cl::cat(Cat));
static cl::opt<std::string>
    Emit("emit",
         cl::desc("Outputs: comma-separated from bpf,layout,p4,verilog "
                  "(default: all that this build supports)"),
         cl::init(""), cl::cat(Cat));
static cl::opt<bool> Explain("explain",
                             cl::desc("Print each history field and why it "
                                      "is needed"),
                             cl::cat(Cat));
static cl::opt<bool> LossRecovery(
    "loss-recovery",
    cl::desc("Recover history lost between sequencer and cores (per-core "
             "logs, SCR paper Algorithm 1)"),
    cl::cat(Cat));
static cl::opt<unsigned> LogEntries("log-entries",
                                    cl::desc("Entries in each core's loss-"
                                             "recovery log (default 1024)"),
                                    cl::init(1024), cl::cat(Cat));
static cl::opt<unsigned> TimestampBits(
    "timestamp-bits",
    cl::desc("Width of the sequencer clock in ns (default 48, Tofino's MAC "
             "timestamp); bpf_ktime_get_ns() then wraps at 2^bits ns"),
    cl::init(48), cl::cat(Cat));
static cl::opt<unsigned> SlotBytes(
    "slot-bytes",
    cl::desc("Byte stride of a history slot (default: the packed entry); "
             "padding to a power of two makes the Verilog sequencer's ring "
             "write free of multiplexers"),
    cl::init(0), cl::cat(Cat));
static cl::opt<int> History("history",
                            cl::desc("History slots N, 0..65535 (default: "
                                     "cores - 1)"),
                            cl::init(0), cl::cat(Cat));

namespace {

bool writeFileAtomically(const std::string &Path, const std::string &Text,
                         std::string &Err) {
  std::string Tmp = Path + ".tmp";
  {
    std::ofstream O(Tmp, std::ios::binary);
    O << Text;
    if (!O) {
      Err = "cannot write '" + Tmp + "'";
      return false;
    }
  }
  if (std::rename(Tmp.c_str(), Path.c_str()) != 0) {
    Err = "cannot write '" + Path + "'";
    std::remove(Tmp.c_str());
    return false;
  }
  return true;
}

/// Makes \p Path absolute, relative to \p Dir (itself relative to the
/// working directory).
std::string absolutePath(StringRef Path, StringRef Dir) {
  SmallString<256> P(Path);
  if (sys::path::is_absolute(P))
    return std::string(P);
  SmallString<256> D(Dir);
  sys::fs::make_absolute(D);
  sys::path::append(D, P);
  sys::path::remove_dots(D, /*remove_dot_dot=*/true);
  return std::string(D);
}

/// The flags the generated programs need to compile wherever they are
/// (compile_flags.txt: one argument per line, as clangd reads it): the
/// ones scrcc parsed the input with -- the target, the multiarch include
/// directory, the input's directory (its quoted #includes) -- and the
/// program's own from the compile command (`--`, --extra-arg, -p), with
/// include paths made absolute. Left out: what only concerns one
/// compilation (the compiler, the input, -c, -o, dependency files) and
/// -O/-g, which the tools choose.
std::string compileFlagsFile(const tooling::CompileCommand &C, StringRef Input,
                             const std::vector<std::string> &Parsed) {
  static const StringRef PathOptions[] = {
      "-I",       "-isystem", "-iquote",   "-idirafter", "-include",
      "-imacros", "-F",       "-isysroot", "--sysroot"};
  static const StringRef Dropped[] = {"-c", "-MD", "-MMD", "-MP", "-S", "-E"};
  static const StringRef DroppedWithValue[] = {"-o",  "-MF",     "-MT",
                                               "-MQ", "-target", "-x"};
  std::vector<std::string> Out = Parsed;
  SmallString<256> AbsInput(Input);
  sys::fs::make_absolute(AbsInput);
  const std::vector<std::string> &A = C.CommandLine;
  for (size_t I = 1; I < A.size(); ++I) {
    StringRef Arg = A[I];
    if (llvm::is_contained(DroppedWithValue, Arg)) {
      ++I;
      continue;
    }
    if (Arg == "--" || absolutePath(Arg, C.Directory) == AbsInput ||
        llvm::is_contained(Dropped, Arg) || Arg.starts_with("-O") ||
        Arg.starts_with("-g") || Arg.starts_with("--target=") ||
        Arg.starts_with("-MF") || Arg.starts_with("-MT") ||
        Arg.starts_with("-MQ") || Arg.starts_with("-o"))
      continue;
    bool IsPath = false;
    for (StringRef P : PathOptions) {
      if (Arg == P && I + 1 < A.size()) {
        Out.push_back(P.str());
        Out.push_back(absolutePath(A[++I], C.Directory));
        IsPath = true;
        break;
      }
      // Joined: -Idir, -includefoo.h, --sysroot=dir.
      if (Arg.size() > P.size() && Arg.starts_with(P) &&
          (P.starts_with("--") ? Arg[P.size()] == '=' : true)) {
        StringRef Value =
            Arg.drop_front(P.size() + (P.starts_with("--") ? 1 : 0));
        Out.push_back(Arg.take_front(Arg.size() - Value.size()).str() +
                      absolutePath(Value, C.Directory));
        IsPath = true;
        break;
      }
    }
    if (!IsPath)
      Out.push_back(Arg.str());
  }
  std::string Text;
  for (const std::string &F : Out)
    Text += F + "\n";
  return Text;
}

void explain(const scr::Layout &L) {
  outs() << "scrcc: " << L.Source << " (entry `" << L.Entry
         << "`): " << L.Fields.size() << " history field(s), " << L.entryBits()
         << " bits per entry (" << L.entryBytes()
         << " bytes), N = " << L.HistoryLength << " for " << L.Cores
         << " cores\n";
  outs() << "relevance filter: " << L.Relevance->str() << "\n";
  for (const scr::Field &F : L.Fields) {
    outs() << "field " << F.Name << ": " << F.Bits << " bit"
           << (F.Bits == 1 ? "" : "s") << ", " << scr::kindName(F.K);
    if (F.Offset)
      outs() << " at offset " << F.Offset->str();
    if (F.Value)
      outs() << " " << F.Value->str();
    outs() << "\n";
    for (const scr::Reason &R : F.Why)
      outs() << "  " << R.Kind << " dependence: " << R.Text << " at "
             << R.Location << "\n";
  }
  for (const scr::StateObject &S : L.State)
    outs() << "state " << S.Kind << " `" << S.Name << "`: "
           << (S.Written
                   ? "written, a private " + S.ReplicaType + " per replica"
                   : "read-only configuration, stays " + S.Original +
                         " (shared)")
           << "\n";
}

} // namespace

static int scrccMain(int argc, const char **argv);

/// Stack of the thread scrcc runs on. Clang's parser and scrcc's analysis
/// recurse on the expression tree; the analysis refuses expressions nested
/// deeper than its documented limit (docs/supported.md#analysis-limits),
/// and this much stack holds that depth with room to spare. Only the pages
/// a deep program touches are ever allocated.
static constexpr unsigned StackBytes = 512u << 20;

int main(int argc, const char **argv) {
  int RC = 1;
  llvm::thread T(std::optional<unsigned>(StackBytes),
                 [&] { RC = scrccMain(argc, argv); });
  T.join();
  return RC;
}

static int scrccMain(int argc, const char **argv) {
  cl::SetVersionPrinter([](raw_ostream &OS) {
    OS << "scrcc version " << SCRCC_VERSION << " (LLVM/Clang 19)\n";
  });
  // Without `--` or -p, use no compilation database (not a search).
  std::vector<const char *> Args(argv, argv + argc);
  bool HasDashDash = false, HasP = false;
  for (int I = 1; I < argc; ++I) {
    HasDashDash |= StringRef(argv[I]) == "--";
    HasP |= StringRef(argv[I]) == "-p" || StringRef(argv[I]).starts_with("-p=");
  }
  if (!HasDashDash && !HasP)
    Args.push_back("--");
  int Argc = Args.size();
  auto OP = tooling::CommonOptionsParser::create(
      Argc, Args.data(), Cat, cl::Required,
      "scrcc: turns a single-threaded XDP program into a State-Compute-"
      "Replicated one.\n\n  scrcc INPUT.bpf.c --cores N -o OUTDIR\n");
  if (!OP) {
    // A bad option value is reported by the option itself, above; the
    // error then says nothing more.
    std::string Msg = toString(OP.takeError());
    errs() << "scrcc: error: "
           << (Msg.empty() ? "invalid command line ('scrcc --help' lists the "
                             "options)"
                           : Msg)
           << "\n";
    return 1;
  }
  const auto &Sources = OP->getSourcePathList();
  if (Sources.size() != 1) {
    errs() << "scrcc: error: expected exactly one input file\n";
    return 1;
  }
  std::string Input = Sources.front();
  if (!sys::fs::exists(Input)) {
    errs() << "scrcc: error: no such file: '" << Input << "'\n";
    return 1;
  }
  if (Cores == 0 || Cores > 1024) {
    errs() << "scrcc: error: --cores must be between 1 and 1024 (got " << Cores
           << ")\n";
    return 1;
  }
  if (History.getNumOccurrences() &&
      (History < 0 || unsigned(History) > scr::MaxHistoryLength)) {
    errs() << "scrcc: error: --history must be between 0 and "
           << scr::MaxHistoryLength
           << " (the SCR header's oldest-slot index has 16 bits; got "
           << History << ")\n";
    return 1;
  }
  if (OutDir.empty() && !Explain) {
    errs() << "scrcc: error: no output directory (-o OUTDIR)\n";
    return 1;
  }
  if (Seq != "nic" && Seq != "tor") {
    errs() << "scrcc: error: --sequencer must be 'nic' or 'tor'\n";
    return 1;
  }
  std::set<std::string> Emits;
  bool EmitExplicit = !Emit.empty();
  {
    std::string E = EmitExplicit ? Emit.getValue() : "bpf,layout,p4,verilog";
    std::stringstream SS(E);
    std::string Item;
    while (std::getline(SS, Item, ',')) {
      if (Item != "bpf" && Item != "layout" && Item != "p4" &&
          Item != "verilog") {
        errs() << "scrcc: error: unknown --emit output '" << Item
               << "' (expected bpf, layout, p4, verilog)\n";
        return 1;
      }
      Emits.insert(Item);
    }
  }
#ifndef SCRCC_HAVE_P4
  if (EmitExplicit && Emits.count("p4")) {
    errs() << "scrcc: error: this build has no P4 back end\n";
    return 1;
  }
  Emits.erase("p4");
#endif
#ifndef SCRCC_HAVE_VERILOG
  if (EmitExplicit && Emits.count("verilog")) {
    errs() << "scrcc: error: this build has no Verilog back end\n";
    return 1;
  }
  Emits.erase("verilog");
#endif

  tooling::ClangTool Tool(OP->getCompilations(), {Input});
  std::string InputDir = sys::path::parent_path(Input).str();
  std::vector<std::string> Extra = scr::bpfTargetFlags();
  Extra.insert(Extra.end(),
               {"-O2", "-g", "-resource-dir", SCRCC_CLANG_RESOURCE_DIR,
                "-I" + (InputDir.empty() ? std::string(".") : InputDir)});
  Tool.appendArgumentsAdjuster(tooling::getInsertArgumentAdjuster(
      Extra, tooling::ArgumentInsertPosition::BEGIN));
  std::vector<std::unique_ptr<ASTUnit>> ASTs;
  int BuildRC = Tool.buildASTs(ASTs);
  if (BuildRC != 0 || ASTs.empty() ||
      ASTs.front()->getDiagnostics().hasErrorOccurred()) {
    errs() << "scrcc: error: '" << Input << "' does not compile\n";
    return 1;
  }
  ASTUnit &AU = *ASTs.front();
  ASTContext &Ctx = AU.getASTContext();
  scrcc::Diagnostics Diags(AU.getDiagnostics(), AU.getSourceManager(),
                           AU.getLangOpts(), {});
  scrcc::Program P(Ctx, Diags);
  if (!P.discover(Entry))
    return 1;

  scrcc::EvalResult R;
  if (!scrcc::evaluateProgram(P, R))
    return 1;
  if (TimestampBits < 16 || TimestampBits > 64) {
    errs() << "scrcc: error: --timestamp-bits must be between 16 and 64\n";
    return 1;
  }
  scrcc::Slice S;
  S.TimestampBits = TimestampBits;
  if (!scrcc::computeSlice(P, R, S))
    return 1;

  scr::Layout L;
  L.Source = sys::path::filename(Input).str();
  L.Entry = P.Entry->getNameAsString();
  L.Cores = Cores;
  L.HistoryLength = History.getNumOccurrences() ? unsigned(History) : Cores - 1;
  L.Mode = Seq == "tor" ? scr::SequencerMode::Tor : scr::SequencerMode::Nic;
  L.Relevance = S.Relevance;
  L.Fields = S.Fields;
  L.UsesTime = R.UsesTime;
  L.UsesPrng = R.UsesPrng;
  L.TimestampBits = TimestampBits;
  if (LossRecovery && ((LogEntries & (LogEntries - 1)) != 0 ||
                       LogEntries < 2 * (L.HistoryLength + 1))) {
    errs() << "scrcc: error: --log-entries must be a power of two of at least "
           << 2 * (L.HistoryLength + 1) << " (2 x (N + 1)) for " << Cores
           << " cores (got " << LogEntries << ")\n";
    return 1;
  }
  L.LossRecovery = LossRecovery;
  L.LogEntries = LogEntries;
  L.assignOffsets();
  if (SlotBytes) {
    unsigned Packed = (L.entryBits() + 7) / 8;
    if (SlotBytes < Packed || SlotBytes > scr::MaxSlotBytes) {
      errs() << "scrcc: error: --slot-bytes must be between the packed entry ("
             << Packed << " bytes for this program) and " << scr::MaxSlotBytes
             << " (got " << SlotBytes << ")\n";
      return 1;
    }
    L.SlotBytes = SlotBytes;
  }
  if (!scrcc::checkReplication(P, R))
    return 1;
  for (const auto &[D, M] : P.Maps)
    L.State.push_back(
        {M.Name, "map", M.TypeName,
         M.Written ? scrcc::mapTypeName(scrcc::MapTypeArrayOfMaps) : M.TypeName,
         M.Written,
         M.Written ? scrcc::mapTypeName(scrcc::replicaMapType(M.Type)) : ""});
  // A written global is a one-entry array per replica (and in the
  // reference variant), under its own name.
  std::vector<const clang::VarDecl *> Globals;
  for (const auto &[V, Where] : R.WrittenGlobals)
    Globals.push_back(V);
  const clang::SourceManager &SM = P.sourceManager();
  std::sort(Globals.begin(), Globals.end(),
            [&](const clang::VarDecl *A, const clang::VarDecl *B) {
              return SM.isBeforeInTranslationUnit(A->getLocation(),
                                                  B->getLocation());
            });
  for (const clang::VarDecl *V : Globals)
    L.State.push_back({V->getNameAsString(), "global",
                       V->getType().getAsString(),
                       scrcc::mapTypeName(scrcc::MapTypeArrayOfMaps), true,
                       scrcc::mapTypeName(BPF_MAP_TYPE_ARRAY)});
  // Every reader refuses a layout that breaks a rule of docs/layout.md:
  // so does the writer (e.g. a history too long for any frame).
  if (std::string Err; !L.validate(Err)) {
    errs() << "scrcc: error: the layout for these options is invalid: " << Err
           << "\n";
    return 1;
  }
  if (L.prefixBytes() + 64 > 1500)
    errs() << "scrcc: warning: the SCR prefix is " << L.prefixBytes()
           << " bytes: with " << Cores
           << " cores the history does not fit a 1500-byte frame with a "
              "minimum-size packet\n";

  if (Explain)
    explain(L);

  // The XDP programs are generated whatever --emit asks for: generating
  // them is the last acceptance check, and what scrcc accepts must not
  // depend on which outputs are written.
  scrcc::XdpOutputs X;
  if (!scrcc::emitXdpPrograms(P, R, S, L, X))
    return 1;
  if (OutDir.empty())
    return 0;

  std::vector<std::pair<std::string, std::string>> Files;
  if (Emits.count("layout"))
    Files.push_back({scr::LayoutFileName, L.toJson()});
  if (Emits.count("bpf")) {
    Files.push_back({scr::scrProgramFileName(Input), X.ScrProgram});
    Files.push_back({scr::refProgramFileName(Input), X.RefProgram});
    std::vector<tooling::CompileCommand> Commands =
        OP->getCompilations().getCompileCommands(Input);
    std::vector<std::string> Parsed = scr::bpfTargetFlags();
    Parsed.push_back("-I" +
                     absolutePath(InputDir.empty() ? "." : InputDir, ""));
    Files.push_back(
        {scr::CompileFlagsFileName,
         compileFlagsFile(Commands.empty() ? tooling::CompileCommand()
                                           : Commands.front(),
                          Input, Parsed)});
  }
#ifdef SCRCC_HAVE_P4
  if (Emits.count("p4")) {
    std::string Text, Err;
    scrp4::P4Options PO;
    if (scrp4::emitP4Sequencer(L, PO, Text, Err))
      Files.push_back({"sequencer.p4", Text});
    else if (EmitExplicit) {
      errs() << "scrcc: error: P4 sequencer: " << Err << "\n";
      return 1;
    } else {
      errs() << "scrcc: warning: no P4 sequencer: " << Err << "\n";
    }
  }
#endif
#ifdef SCRCC_HAVE_VERILOG
  if (Emits.count("verilog")) {
    std::string Text, Err;
    scr::VerilogOptions VO;
    if (scr::emitVerilogSequencer(L, VO, Text, Err))
      Files.push_back({"sequencer.v", Text});
    else if (EmitExplicit) {
      errs() << "scrcc: error: Verilog sequencer: " << Err << "\n";
      return 1;
    } else {
      errs() << "scrcc: warning: no Verilog sequencer: " << Err << "\n";
    }
  }
#endif
  if (std::error_code EC = sys::fs::create_directories(OutDir)) {
    errs() << "scrcc: error: cannot create '" << OutDir << "': " << EC.message()
           << "\n";
    return 1;
  }
  for (const auto &[Name, Text] : Files) {
    std::string Err;
    SmallString<256> Path(OutDir);
    sys::path::append(Path, Name);
    if (!writeFileAtomically(std::string(Path), Text, Err)) {
      errs() << "scrcc: error: " << Err << "\n";
      return 1;
    }
  }
  return 0;
}
