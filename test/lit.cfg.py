# lit configuration for scrcc.
import os
import shutil

import lit.formats

config.name = "scrcc"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".c", ".test", ".json"]
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py.in",
                   "lit_long.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.scrcc_obj_root, "test")

llvm_bin = "/usr/lib/llvm-19/bin"
config.environment["PATH"] = os.pathsep.join(
    [config.scrcc_tools_dir, llvm_bin, config.environment.get("PATH", os.environ["PATH"])])
for var in ["HOME", "TMPDIR"]:
    if var in os.environ:
        config.environment[var] = os.environ[var]

# The flags of scr::bpfTargetFlags() (compiler/include/scrcc/BpfTarget.h),
# with the multiarch include directory the build found.
bpf_cc = "%s/clang -O2 -g --target=bpf -I%s" % (
    llvm_bin, config.bpf_multiarch_include_dir)

config.substitutions.append(("%examples", os.path.join(config.scrcc_src_root, "examples")))
config.substitutions.append(("%srcroot", config.scrcc_src_root))
config.substitutions.append(("%bpf-cc", bpf_cc))
config.substitutions.append(("%tools", config.scrcc_tools_dir))
# The project version, which every tool's --version prints.
config.substitutions.append(("%scrcc-version", config.scrcc_version))

# Tests that load programs into the kernel need root and bpf(2).
if os.geteuid() == 0 and os.path.exists("/sys/fs/bpf"):
    config.available_features.add("bpf")
if shutil.which("iverilog"):
    config.available_features.add("iverilog")
if shutil.which("verilator"):
    config.available_features.add("verilator")
# libFuzzer targets (fuzz/CMakeLists.txt builds them when it can).
if all(os.path.exists(os.path.join(config.scrcc_tools_dir, f))
       for f in ["scr-fuzz-layout", "scr-fuzz-frame"]):
    config.available_features.add("fuzz")

# Two tiers. The default one is fast (under a minute on 2 cores); tests that
# simulate or synthesise RTL, run the big replay matrix or fuzz say
# `REQUIRES: long`. `-Dlong=1` (or SCR_LIT_LONG=1) runs both tiers,
# `-Dlong=only` only the long one (CTest's `long` label).
long_tier = lit_config.params.get("long", os.environ.get("SCR_LIT_LONG", "0"))
if long_tier not in ("", "0"):
    config.available_features.add("long")
if long_tier == "only":
    import sys

    sys.path.insert(0, os.path.dirname(__file__))
    from lit_long import LongOnly

    config.test_format = LongOnly(execute_external=False)
