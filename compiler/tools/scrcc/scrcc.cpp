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
#include "OutputDirectory.h"
#include "scrcc/Layout.h"
#include "scrcc/OutputFiles.h"
#ifdef SCRCC_HAVE_P4
#include "scrcc/P4Emitter.h"
#endif
#ifdef SCRCC_HAVE_VERILOG
#include "scrcc/VerilogEmitter.h"
#endif

#include "scrcli/Options.h"
#include "clang/Frontend/ASTUnit.h"

#include "clang/Tooling/CommonOptionsParser.h"
#include "clang/Tooling/Tooling.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/thread.h"

#include <set>
#include <sstream>

using namespace clang;
using namespace llvm;

#ifndef SCRCC_CLANG_RESOURCE_DIR
#define SCRCC_CLANG_RESOURCE_DIR "/usr/lib/llvm-19/lib/clang/19"
#endif

namespace {

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

/// What the command line asks for.
struct Invocation {
  std::vector<std::string> Inputs;
  unsigned Cores = 0;
  std::string OutDir, Entry, Seq = "nic", Emit;
  bool Explain = false, LossRecovery = false;
  unsigned LogEntries = 1024, TimestampBits = 48, SlotBytes = 0, History = 0;
  bool Werror = false, NoWarnings = false;
  std::string BuildPath;
  std::vector<std::string> ExtraArgs, ExtraArgsBefore, ClangArgs;
};

static void declareOptions(scrcli::Options &CL, Invocation &I) {
  CL.positionals("INPUT.bpf.c", I.Inputs);
  CL.addNumber("cores", "K", "number of CPU cores (replicas)", I.Cores, 1,
               scr::MaxCores);
  CL.addString("o", "OUTDIR", "output directory", I.OutDir);
  CL.addString("entry", "FUNC",
               "XDP entry function (default: the only SEC(\"xdp\") function)",
               I.Entry);
  CL.addChoice("sequencer",
               "sequencer placement: nic (default) or tor (adds an outer "
               "Ethernet header)",
               {"nic", "tor"}, I.Seq);
  CL.addString("emit", "LIST",
               "outputs: comma-separated from bpf,layout,p4,verilog (default: "
               "all that this build supports)",
               I.Emit);
  CL.addFlag("explain", "print each history field and why it is needed",
             I.Explain);
  CL.addFlag("loss-recovery",
             "recover history lost between sequencer and cores (per-core "
             "logs, SCR paper Algorithm 1)",
             I.LossRecovery);
  CL.addNumber("log-entries", "N",
               "entries in each core's loss-recovery log (default 1024; a "
               "power of two of at least 2 x (N + 1))",
               I.LogEntries, 2, 1u << 24);
  CL.addNumber("timestamp-bits", "B",
               "width of the sequencer clock in ns (default 48, Tofino's MAC "
               "timestamp); bpf_ktime_get_ns() then wraps at 2^B ns",
               I.TimestampBits, 16, 64);
  CL.addNumber("slot-bytes", "B",
               "byte stride of a history slot (default: the packed entry); "
               "padding to a power of two makes the Verilog sequencer's ring "
               "write free of multiplexers",
               I.SlotBytes, 1, scr::MaxSlotBytes);
  CL.addNumber("history", "N", "history slots (default: cores - 1)", I.History,
               0, scr::MaxHistoryLength,
               "the SCR header's oldest-slot index has 16 bits");
  CL.addFlag("-Werror", "make warnings errors", I.Werror);
  CL.addFlag("w", "print no warnings", I.NoWarnings);
  CL.addString("p", "BUILD_DIR",
               "take the compiler arguments from BUILD_DIR/"
               "compile_commands.json",
               I.BuildPath);
  CL.addList("extra-arg", "ARG", "an argument to append to the compiler's",
             I.ExtraArgs);
  CL.addList("extra-arg-before", "ARG",
             "an argument to prepend to the compiler's", I.ExtraArgsBefore);
  CL.passthrough("CLANG-ARGS...", I.ClangArgs);
}

/// The compile command of the input: after `--` (even none), else from
/// -p BUILD_DIR, else no flags; then --extra-arg(-before).
static std::unique_ptr<tooling::CompilationDatabase>
compilations(const Invocation &I, bool DashDash, const scrcli::Options &CL) {
  std::unique_ptr<tooling::CompilationDatabase> DB;
  std::string Err;
  if (DashDash || I.BuildPath.empty()) {
    std::vector<const char *> Argv = {"scrcc", "--"};
    for (const std::string &A : I.ClangArgs)
      Argv.push_back(A.c_str());
    int Argc = Argv.size();
    DB = tooling::FixedCompilationDatabase::loadFromCommandLine(
        Argc, Argv.data(), Err);
  } else {
    DB =
        tooling::CompilationDatabase::autoDetectFromDirectory(I.BuildPath, Err);
  }
  // Clang's message lists every kind of database it tried, over lines.
  if (!DB)
    CL.fail("-p " + I.BuildPath +
            ": no compilation database (compile_commands.json) there or in a "
            "parent directory");
  auto Adjusted =
      std::make_unique<tooling::ArgumentsAdjustingCompilations>(std::move(DB));
  Adjusted->appendArgumentsAdjuster(tooling::getInsertArgumentAdjuster(
      I.ExtraArgsBefore, tooling::ArgumentInsertPosition::BEGIN));
  Adjusted->appendArgumentsAdjuster(tooling::getInsertArgumentAdjuster(
      I.ExtraArgs, tooling::ArgumentInsertPosition::END));
  return Adjusted;
}

static int scrccMain(int argc, const char **argv) {
  Invocation Inv;
  scrcli::Options CL(
      {"scrcc",
       "turns a single-threaded XDP program into a State-Compute-Replicated "
       "one",
       {"INPUT.bpf.c --cores K -o OUTDIR [options] [-- CLANG-ARGS...]"},
       "Exit status: 0 every output written; 1 an error (nothing written); 2 "
       "a bad command line. docs/cli.md describes every option.",
       {"LLVM/Clang " + std::to_string(LLVM_VERSION_MAJOR)}});
  declareOptions(CL, Inv);
  if (auto Exit = CL.parse(argc, argv))
    return *Exit;
  bool DashDash = false;
  for (int I = 1; I < argc; ++I)
    DashDash |= StringRef(argv[I]) == "--";
  if (Inv.Inputs.size() != 1)
    CL.usageError(Inv.Inputs.empty() ? "no input file given"
                                     : "expected exactly one input file");
  std::string Input = Inv.Inputs.front();
  if (!CL.given("cores"))
    CL.usageError("no core count given (use --cores K, 1.." +
                  std::to_string(scr::MaxCores) + ")");
  if (Inv.OutDir.empty() && !Inv.Explain)
    CL.usageError("no output directory (-o OUTDIR)");
  std::set<std::string> Emits;
  bool EmitExplicit = !Inv.Emit.empty();
  {
    std::stringstream SS(EmitExplicit ? Inv.Emit : "bpf,layout,p4,verilog");
    std::string Item;
    while (std::getline(SS, Item, ',')) {
      if (Item != "bpf" && Item != "layout" && Item != "p4" &&
          Item != "verilog")
        CL.usageError("unknown --emit output '" + Item +
                      "' (expected bpf, layout, p4, verilog)");
      Emits.insert(Item);
    }
  }
  // The P4 sequencer runs on a top-of-rack switch: a nic-mode layout has
  // none (docs/cli.md#--sequencer-nictor).
  if (Inv.Seq == "nic" && Emits.count("p4")) {
    if (EmitExplicit)
      CL.usageError("--emit p4 needs --sequencer tor (the P4 sequencer runs "
                    "on a top-of-rack switch; in nic mode the NIC sequences)");
    Emits.erase("p4");
  }
#ifndef SCRCC_HAVE_P4
  if (EmitExplicit && Emits.count("p4"))
    CL.usageError("this build has no P4 back end");
  Emits.erase("p4");
#endif
#ifndef SCRCC_HAVE_VERILOG
  if (EmitExplicit && Emits.count("verilog"))
    CL.usageError("this build has no Verilog back end");
  Emits.erase("verilog");
#endif
  if (!sys::fs::exists(Input))
    return CL.error("no such file: '" + Input + "'");
  const unsigned Cores = Inv.Cores;
  const std::string &OutDir = Inv.OutDir;
  const bool Explain = Inv.Explain;

  auto Compilations = compilations(Inv, DashDash, CL);
  tooling::ClangTool Tool(*Compilations, {Input});
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
    return CL.error("'" + Input + "' does not compile");
  }
  ASTUnit &AU = *ASTs.front();
  ASTContext &Ctx = AU.getASTContext();
  scrcc::Diagnostics Diags(AU.getDiagnostics(), AU.getSourceManager(),
                           AU.getLangOpts(), {Inv.Werror, Inv.NoWarnings});
  // Problems of the options with this program have no place in it.
  auto OptionError = [&](const std::string &Msg) {
    Diags.error(SourceLocation(), Msg);
    return 1;
  };
  scrcc::Program P(Ctx, Diags);
  if (!P.discover(Inv.Entry))
    return 1;

  scrcc::EvalResult R;
  if (!scrcc::evaluateProgram(P, R))
    return 1;
  scrcc::Slice S;
  S.TimestampBits = Inv.TimestampBits;
  if (!scrcc::computeSlice(P, R, S))
    return 1;

  scr::Layout L;
  L.Source = sys::path::filename(Input).str();
  L.Entry = P.Entry->getNameAsString();
  L.Cores = Cores;
  L.HistoryLength = CL.given("history") ? Inv.History : Cores - 1;
  L.Mode = Inv.Seq == "tor" ? scr::SequencerMode::Tor : scr::SequencerMode::Nic;
  L.Relevance = S.Relevance;
  L.Fields = S.Fields;
  L.UsesTime = R.UsesTime;
  L.UsesPrng = R.UsesPrng;
  L.TimestampBits = Inv.TimestampBits;
  const unsigned LogEntries = Inv.LogEntries;
  if (Inv.LossRecovery && ((LogEntries & (LogEntries - 1)) != 0 ||
                           LogEntries < 2 * (L.HistoryLength + 1)))
    return OptionError("--log-entries must be a power of two of at least " +
                       std::to_string(2 * (L.HistoryLength + 1)) +
                       " (2 x (N + 1)) for " + std::to_string(Cores) +
                       " cores (got " + std::to_string(LogEntries) + ")");
  L.LossRecovery = Inv.LossRecovery;
  L.LogEntries = LogEntries;
  L.assignOffsets();
  if (unsigned SlotBytes = Inv.SlotBytes) {
    unsigned Packed = (L.entryBits() + 7) / 8;
    if (SlotBytes < Packed)
      return OptionError("--slot-bytes must be between the packed entry (" +
                         std::to_string(Packed) +
                         " bytes for this program) and " +
                         std::to_string(scr::MaxSlotBytes) + " (got " +
                         std::to_string(SlotBytes) + ")");
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
  if (std::string Err; !L.validate(Err))
    return OptionError("the layout for these options is invalid: " + Err);
  if (L.prefixBytes() + 64 > 1500)
    Diags.warning(SourceLocation(),
                  "the SCR prefix is " + std::to_string(L.prefixBytes()) +
                      " bytes: with " + std::to_string(Cores) +
                      " cores the history does not fit a 1500-byte frame "
                      "with a minimum-size packet");
  if (Diags.errorCount()) // -Werror
    return 1;

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
        Compilations->getCompileCommands(Input);
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
    else if (EmitExplicit)
      return OptionError("P4 sequencer: " + Err);
    else
      Diags.warning(SourceLocation(), "no P4 sequencer: " + Err);
  }
#endif
#ifdef SCRCC_HAVE_VERILOG
  if (Emits.count("verilog")) {
    std::string Err;
    scr::VerilogOptions VO;
    scr::VerilogFiles Design;
    if (scr::emitVerilogDesign(L, VO, Design, Err))
      Files.insert(Files.end(), Design.begin(), Design.end());
    else if (EmitExplicit)
      return OptionError("Verilog sequencer: " + Err);
    else
      Diags.warning(SourceLocation(), "no Verilog sequencer: " + Err);
  }
#endif
  if (Diags.errorCount()) // -Werror
    return 1;
  if (std::string Err; !scrcc::replaceOutputDirectory(OutDir, Files, Err))
    return CL.error(Err);
  return 0;
}
