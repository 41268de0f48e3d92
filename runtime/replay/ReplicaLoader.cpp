//===- ReplicaLoader.cpp - Deploying an SCR program and its replicas ------===//

#include "scrrt/ReplicaLoader.h"

#include "scrrt/BpfProgram.h"
#include "scrrt/MapInit.h"
#include "scrrt/ReplicaRecord.h"

#include <algorithm>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/sockios.h>
#include <memory>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace scrrt {

static constexpr long BpfFsMagic = 0xcafe4a11;

namespace {
/// Closes a file descriptor obtained with bpf_obj_get / bpf_map_create.
struct OwnedFd {
  int Fd = -1;
  explicit OwnedFd(int F) : Fd(F) {}
  ~OwnedFd() {
    if (Fd >= 0)
      close(Fd);
  }
  OwnedFd(const OwnedFd &) = delete;
  OwnedFd &operator=(const OwnedFd &) = delete;
};

bool onBpffs(const std::string &Path) {
  struct statfs S;
  return statfs(Path.c_str(), &S) == 0 && S.f_type == BpfFsMagic;
}

std::string errnoText() { return std::strerror(errno); }
} // namespace

std::string defaultPinDir(const ScrOutput &Out) {
  return "/sys/fs/bpf/scr_" + Out.Stem;
}

bool ensureBpffs(const std::string &PinDir, std::string &Error) {
  if (!onBpffs("/sys/fs/bpf") && fs::is_directory("/sys/fs/bpf") &&
      mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700") != 0) {
    Error = "cannot mount bpffs on /sys/fs/bpf: " + errnoText();
    return false;
  }
  std::string Parent = fs::path(PinDir).parent_path().string();
  if (!onBpffs(Parent)) {
    Error = "'" + Parent + "' is not on a bpf file system (mount -t bpf)";
    return false;
  }
  return true;
}

/// The names of the maps pinned in \p Dir, sorted (for error messages).
static std::string pinnedNames(const std::string &Dir) {
  std::vector<std::string> Names;
  std::error_code EC;
  for (const auto &E : fs::directory_iterator(Dir, EC))
    Names.push_back(E.path().filename().string());
  std::sort(Names.begin(), Names.end());
  std::string S;
  for (const std::string &N : Names)
    S += (S.empty() ? "" : ", ") + N;
  return S;
}

/// Checks that \p Obj is an SCR program with one replica per RX queue:
/// `scr_replica` an array of layout.cores entries and every written map an
/// array of maps of as many slots. A program of the older per-CPU design
/// loads too, but its replicas would share keys (docs/transformation.md).
static bool checkReplicaShape(const ScrOutput &Out, BpfObject &Obj,
                              std::string &Error) {
  const unsigned K = Out.Layout.Cores;
  BpfMap *Stats = Obj.map(ReplicaMapName);
  if (!Stats) {
    Error = Out.ScrProgram + ": no map `scr_replica`: not an SCR program";
    return false;
  }
  if (Stats->type() != BPF_MAP_TYPE_ARRAY || Stats->maxEntries() != K) {
    Error = Out.ScrProgram + ": `scr_replica` is not an array of " +
            std::to_string(K) + " replicas" +
            (Stats->perCpu() ? " but per-CPU: the program keeps its replicas "
                               "per CPU, which share hash keys; rebuild it "
                               "with this scrcc"
                             : "");
    return false;
  }
  // `state` reads the entries by member name, through the BTF.
  if (!ReplicaRecord::ofObject(Obj.raw(), Error)) {
    Error = Out.ScrProgram + ": " + Error;
    return false;
  }
  for (const scr::StateObject &S : Out.Layout.State) {
    if (!S.Written || S.Kind != "map")
      continue;
    BpfMap *M = Obj.map(S.Name);
    if (!M || M->type() != BPF_MAP_TYPE_ARRAY_OF_MAPS || M->maxEntries() != K) {
      Error = Out.ScrProgram + ": written map `" + S.Name +
              "` is not an array of " + std::to_string(K) +
              " maps (one private copy per replica)";
      return false;
    }
  }
  return true;
}

/// Pins replica r's copy of every written map as maps/NAME__r<r> where the
/// object did not already (its copies are normally maps of the object under
/// those names); a pinned map of that name must be that copy.
static bool pinReplicaCopies(const ScrOutput &Out, BpfObject &Obj,
                             const std::string &PinDir, std::string &Error) {
  for (const scr::StateObject &S : Out.Layout.State) {
    if (!S.Written || S.Kind != "map")
      continue;
    auto Copies = ReplicaMaps::open(*Obj.map(S.Name), Error);
    if (!Copies)
      return false;
    for (unsigned R = 0; R < Copies->size(); ++R) {
      std::string Path = PinDir + "/maps/" + S.Name + "__r" + std::to_string(R);
      if (!fs::exists(Path)) {
        if (bpf_obj_pin((*Copies)[R].fd(), Path.c_str()) != 0) {
          Error = "cannot pin '" + Path + "': " + errnoText();
          return false;
        }
        continue;
      }
      OwnedFd Pinned(bpf_obj_get(Path.c_str()));
      bpf_map_info Info{};
      uint32_t Len = sizeof Info;
      if (Pinned.Fd < 0 ||
          bpf_obj_get_info_by_fd(Pinned.Fd, &Info, &Len) != 0 ||
          Info.id != Copies->id(R)) {
        Error = Out.ScrProgram + ": map `" + S.Name + "__r" +
                std::to_string(R) + "` is not replica " + std::to_string(R) +
                "'s copy of `" + S.Name + "`";
        return false;
      }
    }
  }
  return true;
}

bool loadReplicas(const ScrOutput &Out, const std::string &PinDir,
                  std::string &Error, const DeployOptions &Options) {
  if (!ensureBpffs(PinDir, Error))
    return false;
  if (fs::exists(PinDir + "/prog")) {
    Error = "'" + PinDir +
            "' already holds a loaded program (unload it "
            "first)";
    return false;
  }
  LoadOptions Load;
  Load.CompileFlags = Out.compileFlags(Options.CompileFlags);
  auto Obj = BpfObject::load(Out.ScrProgram, Error, Load);
  if (!Obj)
    return false;
  if (!checkReplicaShape(Out, *Obj, Error))
    return false;
  // The control plane's entries first: once pinned, the program may be
  // attached. A written map gets them in every replica's private copy.
  for (const std::string &File : Options.MapInit) {
    auto Entries = readMapInit(File, *Obj, Out.Layout, Error);
    if (!Entries || !writeMapInit(*Obj, Out.Layout, *Entries, Error))
      return false;
  }
  bpf_program *Prog =
      bpf_object__find_program_by_name(Obj->raw(), Out.Layout.Entry.c_str());
  if (!Prog) {
    Error = Out.ScrProgram + ": no program '" + Out.Layout.Entry + "'";
    return false;
  }
  std::error_code EC;
  fs::create_directories(PinDir + "/maps", EC);
  // bpf_obj_pin rather than bpf_object__pin_maps, which rewrites every '.'
  // of the path into '_'.
  bool Pinned = !EC;
  bpf_map *M;
  bpf_object__for_each_map(M, Obj->raw()) {
    if (Pinned &&
        bpf_obj_pin(bpf_map__fd(M),
                    (PinDir + "/maps/" + bpf_map__name(M)).c_str()) != 0)
      Pinned = false;
  }
  if (!Pinned ||
      bpf_obj_pin(bpf_program__fd(Prog), (PinDir + "/prog").c_str()) != 0) {
    Error = "cannot pin into '" + PinDir +
            "': " + (EC ? EC.message() : errnoText());
    fs::remove_all(PinDir, EC);
    return false;
  }
  if (!pinReplicaCopies(Out, *Obj, PinDir, Error)) {
    fs::remove_all(PinDir, EC);
    return false;
  }
  return true;
}

std::optional<unsigned> rxQueueCount(const std::string &Dev) {
  OwnedFd S(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (S.Fd < 0 || Dev.size() >= IFNAMSIZ)
    return std::nullopt;
  ethtool_channels Ch{};
  Ch.cmd = ETHTOOL_GCHANNELS;
  ifreq Ifr{};
  std::memcpy(Ifr.ifr_name, Dev.c_str(), Dev.size());
  Ifr.ifr_data = reinterpret_cast<char *>(&Ch);
  if (ioctl(S.Fd, SIOCETHTOOL, &Ifr) != 0)
    return std::nullopt;
  // NICs count queue pairs as combined channels, veth RX queues as rx.
  unsigned N = Ch.rx_count + Ch.combined_count;
  return N ? std::optional<unsigned>(N) : std::nullopt;
}

static bool ifindexOf(const std::string &Dev, int &Index, std::string &Error) {
  Index = int(if_nametoindex(Dev.c_str()));
  if (!Index)
    Error = "no network interface '" + Dev + "' in this namespace";
  return Index != 0;
}

static uint32_t modeFlags(XdpMode M) {
  return M == XdpMode::Native ? XDP_FLAGS_DRV_MODE : XDP_FLAGS_SKB_MODE;
}

bool attachReplicas(const std::string &PinDir, const std::string &Dev,
                    XdpMode Mode, std::string &Error) {
  int Index;
  if (!ifindexOf(Dev, Index, Error))
    return false;
  OwnedFd Prog(bpf_obj_get((PinDir + "/prog").c_str()));
  if (Prog.Fd < 0) {
    Error = "no program pinned at '" + PinDir + "/prog': " + errnoText();
    return false;
  }
  int Err = bpf_xdp_attach(
      Index, Prog.Fd, modeFlags(Mode) | XDP_FLAGS_UPDATE_IF_NOEXIST, nullptr);
  if (Err) {
    Error = "cannot attach to " + Dev + " in " +
            (Mode == XdpMode::Native ? "native" : "generic") +
            " mode: " + std::strerror(-Err) +
            (Err == -EBUSY || Err == -EEXIST
                 ? " (an XDP program is already attached)"
                 : "");
    return false;
  }
  return true;
}

bool detachReplicas(const std::string &Dev, XdpMode Mode, std::string &Error) {
  int Index;
  if (!ifindexOf(Dev, Index, Error))
    return false;
  int Err = bpf_xdp_detach(Index, modeFlags(Mode), nullptr);
  if (Err) {
    Error = "cannot detach from " + Dev + ": " + std::strerror(-Err);
    return false;
  }
  return true;
}

bool unloadReplicas(const std::string &PinDir, std::string &Error) {
  if (!fs::exists(PinDir + "/prog") && !fs::exists(PinDir + "/maps")) {
    Error = "nothing is pinned at '" + PinDir + "'";
    return false;
  }
  std::error_code EC;
  fs::remove_all(PinDir, EC);
  if (EC) {
    Error = "cannot remove '" + PinDir + "': " + EC.message();
    return false;
  }
  return true;
}

static std::optional<BpfMap> openPinnedMap(const std::string &Path,
                                           std::unique_ptr<OwnedFd> &Fd,
                                           std::string &Error) {
  Fd = std::make_unique<OwnedFd>(bpf_obj_get(Path.c_str()));
  if (Fd->Fd < 0) {
    Error = "no map pinned at '" + Path + "': " + errnoText();
    return std::nullopt;
  }
  return BpfMap::fromFd(Fd->Fd, Error);
}

std::optional<ReplicaView> readReplicas(const std::string &PinDir,
                                        std::string &Error) {
  std::unique_ptr<OwnedFd> StatsFd, UnownedFd;
  auto Stats =
      openPinnedMap(PinDir + "/maps/" + ReplicaMapName, StatsFd, Error);
  if (!Stats)
    return std::nullopt;
  if (Stats->type() != BPF_MAP_TYPE_ARRAY || Stats->maxEntries() == 0) {
    Error = "'" + PinDir + "/maps/scr_replica' is not an array of replicas" +
            (Stats->perCpu() ? " (a per-CPU program of an older scrcc)" : "");
    return std::nullopt;
  }
  auto Record = ReplicaRecord::ofMap(Stats->fd(), Error);
  if (!Record) {
    Error = "'" + PinDir + "/maps/scr_replica': " + Error;
    return std::nullopt;
  }
  ReplicaView View;
  for (uint32_t R = 0; R < Stats->maxEntries(); ++R) {
    auto V = Stats->lookup({reinterpret_cast<uint8_t *>(&R), sizeof R});
    if (!V) {
      Error =
          "cannot read scr_replica[" + std::to_string(R) + "]: " + errnoText();
      return std::nullopt;
    }
    ReplicaStats S = Record->stats(*V);
    if (R && serialAfter(S.Applied, View.Replicas[View.MostUpToDate].Applied))
      View.MostUpToDate = R;
    View.Replicas.push_back(S);
    View.Rejects.push_back(Record->rejects(*V));
  }
  std::string Ignored;
  auto Unowned =
      openPinnedMap(PinDir + "/maps/" + UnownedMapName, UnownedFd, Ignored);
  if (Unowned && Unowned->perCpu() && Unowned->valueSize() >= 8) {
    uint32_t Zero = 0;
    if (auto Slots = Unowned->lookupAllCpus(
            {reinterpret_cast<uint8_t *>(&Zero), sizeof Zero})) {
      uint64_t Sum = 0;
      for (const auto &Slot : *Slots) {
        uint64_t N;
        std::memcpy(&N, Slot.data(), sizeof N);
        Sum += N;
      }
      View.Unowned = Sum;
    }
  }
  return View;
}

std::optional<PinnedMap> PinnedMap::open(const ScrOutput &Out,
                                         const std::string &PinDir,
                                         const std::string &Name,
                                         std::string &Error) {
  std::string Dir = PinDir + "/maps";
  if (!fs::is_directory(Dir)) {
    Error = "nothing is pinned at '" + PinDir + "' (load the program first)";
    return std::nullopt;
  }
  PinnedMap P;
  P.Name = Name;
  int Fd = Name.find('/') == std::string::npos
               ? bpf_obj_get((Dir + "/" + Name).c_str())
               : -1;
  if (Fd < 0) {
    Error = "no map `" + Name + "` pinned at '" + Dir +
            "' (maps: " + pinnedNames(Dir) + ")";
    return std::nullopt;
  }
  auto M = BpfMap::fromFd(Fd, Error);
  if (!M) {
    close(Fd);
    return std::nullopt;
  }
  P.Map = *M;
  for (const scr::StateObject &S : Out.Layout.State)
    if (S.Name == Name && S.Written && S.Kind == "map") {
      auto Copies = ReplicaMaps::open(P.Map, Error);
      if (!Copies)
        return std::nullopt; // P closes Fd
      P.Copies = std::move(*Copies);
    }
  return P;
}

PinnedMap::PinnedMap(PinnedMap &&O) noexcept
    : Name(std::move(O.Name)), Map(O.Map), Copies(std::move(O.Copies)) {
  O.Map = BpfMap();
}

PinnedMap &PinnedMap::operator=(PinnedMap &&O) noexcept {
  if (this != &O) {
    if (Map.fd() >= 0)
      close(Map.fd());
    Name = std::move(O.Name);
    Map = O.Map;
    Copies = std::move(O.Copies);
    O.Map = BpfMap();
  }
  return *this;
}

PinnedMap::~PinnedMap() {
  if (Map.fd() >= 0)
    close(Map.fd());
}

/// "map `limits`" / "replica 2's copy of `counts`", for messages.
static std::string copyName(const PinnedMap &M, unsigned R) {
  return M.replicated()
             ? "replica " + std::to_string(R) + "'s copy of `" + M.name() + "`"
             : "map `" + M.name() + "`";
}

static bool checkKey(const PinnedMap &M, std::span<const uint8_t> Key,
                     std::string &Error) {
  const BpfMap &C = M.copy(0);
  if (Key.size() != C.keySize()) {
    Error = "the key has " + std::to_string(Key.size()) + " bytes; map `" +
            M.name() + "` has " + std::to_string(C.keySize()) + "-byte keys";
    return false;
  }
  if (C.isArray() && C.keySize() == 4) {
    uint32_t Index;
    std::memcpy(&Index, Key.data(), sizeof Index);
    if (Index >= C.maxEntries()) {
      Error = "key " + hexBytes(Key) + " is index " + std::to_string(Index) +
              ", past the end of array `" + M.name() + "` (" +
              std::to_string(C.maxEntries()) + " entries)";
      return false;
    }
  }
  return true;
}

bool writeReplicaMap(const PinnedMap &M, std::span<const uint8_t> Key,
                     std::span<const uint8_t> Value, ControlUpdate &Done,
                     std::string &Error) {
  Done = {};
  if (!checkKey(M, Key, Error))
    return false;
  if (Value.size() != M.copy(0).valueSize()) {
    Error = "the value has " + std::to_string(Value.size()) + " bytes; map `" +
            M.name() + "` has " + std::to_string(M.copy(0).valueSize()) +
            "-byte values";
    return false;
  }
  for (unsigned R = 0; R < M.copies(); ++R) {
    if (!M.copy(R).update(Key, Value, Error)) {
      if (M.replicated())
        Error += " (" + copyName(M, R) + ")";
      return false;
    }
    Done.Done.push_back(R);
  }
  return true;
}

bool eraseReplicaMap(const PinnedMap &M, std::span<const uint8_t> Key,
                     ControlUpdate &Done, std::string &Error) {
  Done = {};
  if (!checkKey(M, Key, Error))
    return false;
  if (M.copy(0).isArray()) {
    Error = "map `" + M.name() +
            "` is an array: its entries always exist (write zeros instead)";
    return false;
  }
  for (unsigned R = 0; R < M.copies(); ++R) {
    switch (M.copy(R).erase(Key, Error)) {
    case BpfMap::EraseResult::Deleted:
      Done.Done.push_back(R);
      break;
    case BpfMap::EraseResult::Absent:
      Done.Absent.push_back(R);
      break;
    case BpfMap::EraseResult::Failed:
      if (M.replicated())
        Error += " (" + copyName(M, R) + ")";
      return false;
    }
  }
  if (Done.Done.empty()) {
    Error = "key " + hexBytes(Key) + " is in no " +
            (M.replicated() ? "replica's copy of `" + M.name() + "`"
                            : "entry of map `" + M.name() + "`");
    return false;
  }
  return true;
}

std::optional<std::vector<uint8_t>> parseHexBytes(const std::string &S,
                                                  std::string &Error) {
  std::vector<uint8_t> Bytes;
  int High = -1;
  for (char C : S) {
    if ((C == ':' || C == ' ') && High < 0)
      continue;
    unsigned char U = static_cast<unsigned char>(C);
    if (!std::isxdigit(U)) {
      Error = "'" + S + "' is not hex bytes: '" + std::string(1, C) +
              "' (write the bytes in memory order as `state` prints them, "
              "e.g. 0a000001)";
      return std::nullopt;
    }
    int D = std::isdigit(U) ? C - '0' : std::tolower(U) - 'a' + 10;
    if (High < 0) {
      High = D;
    } else {
      Bytes.push_back(uint8_t(High << 4 | D));
      High = -1;
    }
  }
  if (High >= 0 || Bytes.empty()) {
    Error = "'" + S + "' is not hex bytes: " +
            (Bytes.empty() && High < 0 ? "empty" : "an odd number of digits");
    return std::nullopt;
  }
  return Bytes;
}

} // namespace scrrt
