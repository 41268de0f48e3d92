//===- BpfProgram.cpp - Loading and running BPF objects -------------------===//

#include "scrrt/BpfProgram.h"
#include "scrcc/BpfTarget.h"

#include <algorithm>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <linux/bpf.h>
#include <mutex>
#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace scrrt {

//===----------------------------------------------------------------------===//
// Compiling
//===----------------------------------------------------------------------===//

bool compileBpf(const std::string &Source, const std::string &ObjectPath,
                std::string &Error, const std::vector<std::string> &Flags) {
  std::string Log = ObjectPath + ".log";
  std::vector<std::string> Args = {"clang-19", "-O2", "-g"};
  for (const std::string &F : scr::bpfTargetFlags())
    Args.push_back(F);
  Args.insert(Args.end(), Flags.begin(), Flags.end());
  Args.insert(Args.end(), {"-c", Source, "-o", ObjectPath});
  pid_t Pid = fork();
  if (Pid < 0) {
    Error = std::string("fork: ") + std::strerror(errno);
    return false;
  }
  if (Pid == 0) {
    FILE *L = std::fopen(Log.c_str(), "w");
    if (L) {
      dup2(fileno(L), 1);
      dup2(fileno(L), 2);
    }
    std::vector<char *> Argv;
    for (auto &A : Args)
      Argv.push_back(A.data());
    Argv.push_back(nullptr);
    execvp(Argv[0], Argv.data());
    std::fprintf(stderr, "cannot run clang-19: %s\n", std::strerror(errno));
    _exit(127);
  }
  int Status = 0;
  waitpid(Pid, &Status, 0);
  if (WIFEXITED(Status) && WEXITSTATUS(Status) == 0) {
    std::remove(Log.c_str());
    return true;
  }
  std::string Diag;
  if (FILE *L = std::fopen(Log.c_str(), "r")) {
    char Buf[4096];
    size_t N;
    while ((N = std::fread(Buf, 1, sizeof Buf, L)) > 0)
      Diag.append(Buf, N);
    std::fclose(L);
  }
  std::remove(Log.c_str());
  std::string Shown;
  for (const std::string &F : Flags)
    Shown += " " + F;
  Error = "cannot compile " + Source +
          (Shown.empty() ? std::string() : " (flags:" + Shown + ")") + ":\n" +
          Diag;
  return false;
}

TempDir::TempDir() {
  std::string Tmpl = (fs::temp_directory_path() / "scrrt-XXXXXX").string();
  if (mkdtemp(Tmpl.data()))
    Path = Tmpl;
}

TempDir::~TempDir() {
  if (!Path.empty()) {
    std::error_code EC;
    fs::remove_all(Path, EC);
  }
}

//===----------------------------------------------------------------------===//
// Loading
//===----------------------------------------------------------------------===//

// libbpf reports through one process-wide callback: collect what it says
// while we load, so that a refusal can be shown with its verifier log.
static std::mutex LogMutex;
static std::string *LogSink = nullptr;

static int collectLibbpfOutput(enum libbpf_print_level Level, const char *Fmt,
                               va_list Args) {
  if (Level == LIBBPF_DEBUG || !LogSink)
    return 0;
  va_list Copy;
  va_copy(Copy, Args);
  int N = std::vsnprintf(nullptr, 0, Fmt, Copy);
  va_end(Copy);
  if (N > 0) {
    std::string Line(size_t(N) + 1, '\0');
    std::vsnprintf(Line.data(), Line.size(), Fmt, Args);
    Line.resize(N);
    LogSink->append(Line);
  }
  return N;
}

// A verifier log can run to thousands of lines; the reason it refused the
// program is at its end, so that is the part worth showing.
static std::string tailLines(const std::string &Log, size_t Keep) {
  size_t Pos = Log.size(), Lines = 0;
  if (Pos && Log[Pos - 1] == '\n')
    --Pos;
  while (Pos > 0) {
    size_t NL = Log.rfind('\n', Pos - 1);
    if (NL == std::string::npos)
      return Log;
    if (++Lines == Keep)
      return "... (" +
             std::to_string(std::count(Log.begin(), Log.begin() + NL, '\n') +
                            1) +
             " earlier lines omitted)\n" + Log.substr(NL + 1);
    Pos = NL;
  }
  return Log;
}

const char *xdpVerdictName(uint32_t V) {
  switch (V) {
  case XDP_ABORTED:
    return "XDP_ABORTED";
  case XDP_DROP:
    return "XDP_DROP";
  case XDP_PASS:
    return "XDP_PASS";
  case XDP_TX:
    return "XDP_TX";
  case XDP_REDIRECT:
    return "XDP_REDIRECT";
  }
  return "XDP_UNKNOWN";
}

static bool endsWith(const std::string &S, const std::string &Suffix) {
  return S.size() >= Suffix.size() &&
         S.compare(S.size() - Suffix.size(), Suffix.size(), Suffix) == 0;
}

/// Caps max_entries of the hash maps of \p Obj at \p Cap (0: no cap)
/// and records which maps it capped in \p Capped.
static void capHashMaps(bpf_object *Obj, uint64_t Cap,
                        std::vector<std::pair<std::string, uint32_t>> &Capped) {
  if (!Cap)
    return;
  // An array of maps' inner map template keeps its size (libbpf cannot
  // resize it): the kernel does not compare hash maps' sizes with it.
  bpf_map *M;
  bpf_object__for_each_map(M, Obj) {
    switch (bpf_map__type(M)) {
    case BPF_MAP_TYPE_HASH:
    case BPF_MAP_TYPE_PERCPU_HASH:
    case BPF_MAP_TYPE_LRU_HASH:
    case BPF_MAP_TYPE_LRU_PERCPU_HASH:
      if (bpf_map__max_entries(M) > Cap) {
        Capped.emplace_back(bpf_map__name(M), bpf_map__max_entries(M));
        bpf_map__set_max_entries(M, Cap);
      }
      break;
    default:
      break;
    }
  }
}

/// What every tool does to an object between opening and loading it: its
/// maps are its own (pinning cleared: nothing is reused from or left in
/// bpffs) and a program in a section libbpf cannot type (SEC("xdp_prog"),
/// SEC("prog"): old-style names) is XDP.
static int prepareObject(bpf_object *Obj) {
  bpf_map *M;
  bpf_object__for_each_map(M, Obj) {
    if (int Err = bpf_map__set_pin_path(M, nullptr))
      return Err;
  }
  bpf_program *P;
  bpf_object__for_each_program(P, Obj) {
    if (bpf_program__type(P) != BPF_PROG_TYPE_UNSPEC)
      continue;
    if (int Err = bpf_program__set_type(P, BPF_PROG_TYPE_XDP))
      return Err;
    if (int Err = bpf_program__set_expected_attach_type(P, BPF_XDP))
      return Err;
  }
  return 0;
}

std::unique_ptr<BpfObject> BpfObject::load(const std::string &Path,
                                           std::string &Error,
                                           const LoadOptions &Options) {
  const std::string &Shown =
      Options.DisplayName.empty() ? Path : Options.DisplayName;
  if (!fs::exists(Path)) {
    Error = "cannot open '" + Path + "': no such file";
    return nullptr;
  }
  std::string ObjectPath = Path;
  TempDir Tmp;
  if (endsWith(Path, ".c")) {
    if (!Tmp.ok()) {
      Error = "cannot create a temporary directory";
      return nullptr;
    }
    ObjectPath = Tmp.path() + "/" + fs::path(Path).stem().string() + ".o";
    if (!compileBpf(Path, ObjectPath, Error, Options.CompileFlags))
      return nullptr;
  }

  std::unique_ptr<BpfObject> O(new BpfObject());
  std::string Log;
  {
    std::lock_guard<std::mutex> Lock(LogMutex);
    LogSink = &Log;
    libbpf_print_fn_t Old = libbpf_set_print(collectLibbpfOutput);
    O->Obj = bpf_object__open_file(ObjectPath.c_str(), nullptr);
    int Err = O->Obj ? prepareObject(O->Obj) : -errno;
    if (!Err)
      capHashMaps(O->Obj, Options.MaxEntriesCap, O->Capped);
    if (!Err)
      Err = bpf_object__load(O->Obj);
    libbpf_set_print(Old);
    LogSink = nullptr;
    if (Err) {
      Error = "cannot load " + Shown + ": " + std::strerror(-Err);
      if (!Log.empty())
        Error += "\nlibbpf and verifier log:\n" + tailLines(Log, 60);
      return nullptr; // ~BpfObject closes a half-loaded object
    }
  }
  bpf_map *M;
  bpf_object__for_each_map(M, O->Obj) {
    std::string MapError;
    auto BM = BpfMap::fromFd(bpf_map__fd(M), MapError);
    if (!BM) {
      Error = "map " + std::string(bpf_map__name(M)) + ": " + MapError;
      return nullptr;
    }
    // libbpf's name is the full one (the kernel's is cut at 15 characters).
    O->Maps.emplace(bpf_map__name(M), *BM);
  }
  return O;
}

BpfObject::~BpfObject() {
  if (Obj)
    bpf_object__close(Obj);
}

int BpfObject::programFd(const std::string &Name) const {
  bpf_program *P = bpf_object__find_program_by_name(Obj, Name.c_str());
  return P ? bpf_program__fd(P) : -1;
}

BpfMap *BpfObject::map(const std::string &Name) {
  auto It = Maps.find(Name);
  return It == Maps.end() ? nullptr : &It->second;
}

size_t xdpTestRunMaxFrame() {
  long Page = sysconf(_SC_PAGESIZE);
  constexpr size_t XdpPacketHeadroom = 256;
  // SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) on 64-bit kernels.
  constexpr size_t SharedInfo = 320;
  return size_t(Page > 0 ? Page : 4096) - XdpPacketHeadroom - SharedInfo;
}

bool BpfObject::runXdp(int ProgFd, std::span<const uint8_t> Packet,
                       XdpResult &Result, std::string &Error,
                       const XdpArrival &Arrival) {
  // Output can grow by at most the tail room the kernel gives a test run.
  Result.Output.resize(Packet.size() + 4096);
  LIBBPF_OPTS(bpf_test_run_opts, Opts, .data_in = Packet.data(),
              .data_out = Result.Output.data(),
              .data_size_in = uint32_t(Packet.size()),
              .data_size_out = uint32_t(Result.Output.size()), .repeat = 1);
  // The kernel wants data_end to be the frame's size.
  xdp_md Ctx{};
  if (Arrival.Ifindex) {
    Ctx.data_end = uint32_t(Packet.size());
    Ctx.ingress_ifindex = uint32_t(Arrival.Ifindex);
    Ctx.rx_queue_index = Arrival.RxQueue;
    Opts.ctx_in = &Ctx;
    Opts.ctx_size_in = sizeof Ctx;
  }
  if (bpf_prog_test_run_opts(ProgFd, &Opts) != 0) {
    Error = std::string("BPF_PROG_TEST_RUN failed: ") + std::strerror(errno) +
            " (frame of " + std::to_string(Packet.size()) + " bytes" +
            (Arrival.Ifindex ? ", RX queue " + std::to_string(Arrival.RxQueue)
                             : std::string()) +
            ")";
    return false;
  }
  Result.Verdict = Opts.retval;
  Result.DurationNs = Opts.duration;
  Result.Output.resize(Opts.data_size_out);
  return true;
}

} // namespace scrrt
