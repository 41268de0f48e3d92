//===- ReplicaLoader.cpp - Running an SCR program on real CPUs ------------===//

#include "scrrt/ReplicaLoader.h"

#include "scrrt/BpfProgram.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <linux/if_link.h>
#include <net/if.h>
#include <sys/mount.h>
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

std::optional<std::vector<int>> parseCpuList(const std::string &S,
                                             std::string &Error) {
  std::vector<int> Cpus;
  size_t Pos = 0;
  while (Pos <= S.size()) {
    size_t Comma = S.find(',', Pos);
    std::string Item = S.substr(
        Pos, Comma == std::string::npos ? std::string::npos : Comma - Pos);
    int A = 0, B = 0;
    char Extra;
    if (std::sscanf(Item.c_str(), "%d-%d%c", &A, &B, &Extra) == 2 ||
        (std::sscanf(Item.c_str(), "%d%c", &A, &Extra) == 1 && (B = A, true))) {
      if (A < 0 || B < A || B >= possibleCpus()) {
        Error = "CPU list '" + S + "': '" + Item +
                "' is not a range of "
                "possible CPUs (0-" +
                std::to_string(possibleCpus() - 1) + ")";
        return std::nullopt;
      }
      for (int C = A; C <= B; ++C)
        Cpus.push_back(C);
    } else {
      Error = "CPU list '" + S + "': cannot parse '" + Item + "'";
      return std::nullopt;
    }
    if (Comma == std::string::npos)
      break;
    Pos = Comma + 1;
  }
  return Cpus;
}

bool loadReplicas(const ScrOutput &Out, const std::string &PinDir,
                  const std::vector<int> &Cpus, std::string &Error) {
  if (Cpus.empty() || Cpus.size() > Out.Layout.Cores) {
    Error = "--cpus lists " + std::to_string(Cpus.size()) +
            " CPUs; the program was built for 1.." +
            std::to_string(Out.Layout.Cores) + " cores (history of " +
            std::to_string(Out.Layout.HistoryLength) + " entries)";
    return false;
  }
  if (!ensureBpffs(PinDir, Error))
    return false;
  if (fs::exists(PinDir + "/prog")) {
    Error = "'" + PinDir +
            "' already holds a loaded program (unload it "
            "first)";
    return false;
  }
  auto Obj = BpfObject::load(Out.ScrProgram, Error);
  if (!Obj)
    return false;
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
  // The CPU list goes next to the maps, so `state` needs no extra flag.
  OwnedFd CpuMap(bpf_map_create(BPF_MAP_TYPE_ARRAY, "scr_cpus",
                                sizeof(uint32_t), sizeof(uint32_t),
                                uint32_t(Cpus.size()), nullptr));
  bool Ok = CpuMap.Fd >= 0;
  for (uint32_t I = 0; Ok && I < Cpus.size(); ++I) {
    uint32_t C = uint32_t(Cpus[I]);
    Ok = bpf_map_update_elem(CpuMap.Fd, &I, &C, BPF_ANY) == 0;
  }
  if (!Ok || bpf_obj_pin(CpuMap.Fd, (PinDir + "/cpus").c_str()) != 0) {
    Error = "cannot record the CPU list in '" + PinDir + "': " + errnoText();
    std::string Ignored;
    unloadReplicas(PinDir, Ignored);
    return false;
  }
  return true;
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

std::optional<ReplicaView> mostUpToDateReplica(const std::string &PinDir,
                                               std::string &Error) {
  std::vector<int> Cpus;
  std::unique_ptr<OwnedFd> CpusFd, StatsFd;
  std::string Ignored;
  if (auto CpuMap = openPinnedMap(PinDir + "/cpus", CpusFd, Ignored)) {
    MapContents C;
    if (!CpuMap->dump(C, Error))
      return std::nullopt;
    for (auto &[K, V] : C) {
      uint32_t Cpu;
      std::memcpy(&Cpu, V.data(), sizeof Cpu);
      Cpus.push_back(int(Cpu));
    }
  } else {
    for (int C = 0; C < possibleCpus(); ++C)
      Cpus.push_back(C);
  }
  auto Stats =
      openPinnedMap(PinDir + "/maps/" + ReplicaMapName, StatsFd, Error);
  if (!Stats)
    return std::nullopt;
  if (!Stats->perCpu() || Stats->valueSize() < sizeof(ReplicaStats)) {
    Error = "'" + PinDir + "/maps/scr_replica' is not an SCR replica map";
    return std::nullopt;
  }
  uint32_t Zero = 0;
  auto Slots =
      Stats->lookupAllCpus({reinterpret_cast<uint8_t *>(&Zero), sizeof Zero});
  if (!Slots) {
    Error = "cannot read scr_replica: " + errnoText();
    return std::nullopt;
  }
  ReplicaView View;
  for (int C : Cpus) {
    ReplicaStats S;
    std::memcpy(&S, (*Slots)[C].data(), sizeof S);
    View.All.push_back({C, S});
    if (View.Cpu < 0 || serialAfter(S.Applied, View.Stats.Applied)) {
      View.Cpu = C;
      View.Stats = S;
    }
  }
  return View;
}

bool readReplicaMap(const std::string &PinDir, const std::string &Name, int Cpu,
                    MapContents &Out, BpfMap &Info, std::string &Error) {
  std::unique_ptr<OwnedFd> Fd;
  auto M = openPinnedMap(PinDir + "/maps/" + Name, Fd, Error);
  if (!M)
    return false;
  Info = *M;
  return M->dump(Out, Error, Cpu);
}

} // namespace scrrt
