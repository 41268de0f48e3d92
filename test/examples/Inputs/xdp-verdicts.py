#!/usr/bin/env python3
"""Runs a scripted packet sequence through an XDP object and prints verdicts.

Usage: xdp-verdicts.py OBJECT.o SCRIPT
       xdp-verdicts.py --pcap OUT.pcap SCRIPT

The second form writes the script's packets (1 ms apart) to a pcap instead
of running them; map-update and dump lines are ignored, repeat N writes the
packet N times.

The object is loaded with bpftool (maps pinned next to it in a fresh
directory under /sys/fs/bpf, removed again on exit) and every packet of the
script is run once with BPF_PROG_TEST_RUN (bpftool prog run), in order, so
the program's state carries over from packet to packet. Script lines
('#' starts a comment):

  tcp SADDR:SPORT > DADDR:DPORT [flags=SAFRP] [seq=N] [ack=N] [win=N] [len=N]
  udp SADDR:SPORT > DADDR:DPORT [len=N]
      either with [vlan=ID[,ID]]: 802.1Q tags after the MAC addresses
  udp6 [SADDR]:SPORT > [DADDR]:DPORT [len=N]   UDP over IPv6
  eth TYPE               a bare Ethernet frame of EtherType TYPE (e.g. 0x0806)
  repeat N PACKET        runs PACKET N times, prints the last verdict
  map-update MAP ARGS    bpftool map update of pinned map MAP with ARGS
  dump MAP               prints the map's entries, one per line, sorted

For each packet it prints the verdict and the script line; for XDP_TX it
adds the rewritten destination addresses and whether the IPv4 and TCP/UDP
checksums of the output are valid. Checksums of generated packets are valid.
"""
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile

VERDICTS = {0: "ABORTED", 1: "DROP", 2: "PASS", 3: "TX", 4: "REDIRECT"}
TCP_FLAGS = {"F": 0x01, "S": 0x02, "R": 0x04, "P": 0x08, "A": 0x10}
SRC_MAC = bytes.fromhex("020000000001")
DST_MAC = bytes.fromhex("020000000002")


class ScriptError(Exception):
    pass


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def endpoint(text):
    addr, _, port = text.partition(":")
    try:
        return socket.inet_aton(addr), int(port)
    except (OSError, ValueError):
        raise ScriptError("bad endpoint '%s' (want A.B.C.D:PORT)" % text)


def options(words):
    result = {}
    for word in words:
        name, eq, value = word.partition("=")
        if not eq:
            raise ScriptError("bad option '%s' (want name=value)" % word)
        result[name] = value
    return result


def ip_packet(words):
    if len(words) < 4 or words[2] != ">":
        raise ScriptError("want: PROTO SADDR:SPORT > DADDR:DPORT [opts]")
    proto = {"tcp": 6, "udp": 17}[words[0]]
    (saddr, sport), (daddr, dport) = endpoint(words[1]), endpoint(words[3])
    opts = options(words[4:])
    payload = b"x" * int(opts.get("len", "0"), 0)
    if proto == 6:
        flags = 0
        for letter in opts.get("flags", ""):
            if letter not in TCP_FLAGS:
                raise ScriptError("unknown TCP flag '%s'" % letter)
            flags |= TCP_FLAGS[letter]
        l4 = struct.pack("!HHIIBBHHH", sport, dport,
                         int(opts.get("seq", "0"), 0) & 0xFFFFFFFF,
                         int(opts.get("ack", "0"), 0) & 0xFFFFFFFF,
                         5 << 4, flags, int(opts.get("win", "65535"), 0),
                         0, 0) + payload
        check_at = 16
    else:
        l4 = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
        check_at = 6
    pseudo = saddr + daddr + struct.pack("!BBH", 0, proto, len(l4))
    l4 = bytearray(l4)
    l4[check_at:check_at + 2] = struct.pack("!H", checksum(pseudo + bytes(l4)))
    ip = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 1, 0,
                               64, proto, 0, saddr, daddr))
    ip[10:12] = struct.pack("!H", checksum(bytes(ip)))
    tags = b""
    for vid in filter(None, opts.get("vlan", "").split(",")):
        tags += struct.pack("!HH", 0x8100, int(vid, 0) & 0x0FFF)
    return DST_MAC + SRC_MAC + tags + b"\x08\x00" + bytes(ip) + bytes(l4)


def endpoint6(text):
    addr, _, port = text.rpartition(":")
    try:
        return socket.inet_pton(socket.AF_INET6, addr.strip("[]")), int(port)
    except (OSError, ValueError):
        raise ScriptError("bad endpoint '%s' (want [ADDR]:PORT)" % text)


def ip6_packet(words):
    if len(words) < 4 or words[2] != ">":
        raise ScriptError("want: udp6 [SADDR]:SPORT > [DADDR]:DPORT [opts]")
    (saddr, sport), (daddr, dport) = endpoint6(words[1]), endpoint6(words[3])
    opts = options(words[4:])
    payload = b"x" * int(opts.get("len", "0"), 0)
    l4 = bytearray(struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) +
                   payload)
    pseudo = saddr + daddr + struct.pack("!IxxxB", len(l4), 17)
    l4[6:8] = struct.pack("!H", checksum(pseudo + bytes(l4)) or 0xFFFF)
    ip6 = struct.pack("!IHBB16s16s", 6 << 28, len(l4), 17, 64, saddr, daddr)
    return DST_MAC + SRC_MAC + b"\x86\xdd" + ip6 + bytes(l4)


def packet(words):
    if words[0] in ("tcp", "udp"):
        return ip_packet(words)
    if words[0] == "udp6":
        return ip6_packet(words)
    if words[0] == "eth" and len(words) == 2:
        return DST_MAC + SRC_MAC + struct.pack("!H", int(words[1], 0)) + \
            b"\0" * 46
    raise ScriptError("unknown packet '%s'" % " ".join(words))


def describe_tx(frame):
    if len(frame) < 34 or frame[12:14] != b"\x08\x00":
        return "non-IPv4 output"
    ihl = (frame[14] & 0x0F) * 4
    ip = frame[14:14 + ihl]
    l4 = frame[14 + ihl:]
    pseudo = ip[12:20] + struct.pack("!BBH", 0, ip[9], len(l4))
    l4_ok = ip[9] not in (6, 17) or checksum(pseudo + l4) == 0
    return "dmac=%s smac=%s daddr=%s ip-csum=%s l4-csum=%s" % (
        frame[0:6].hex(":"), frame[6:12].hex(":"), socket.inet_ntoa(ip[16:20]),
        "ok" if checksum(ip) == 0 else "BAD", "ok" if l4_ok else "BAD")


def bpftool(*args):
    result = subprocess.run(["bpftool"] + list(args), capture_output=True,
                            text=True)
    if result.returncode != 0:
        raise ScriptError("bpftool %s failed:\n%s%s" % (
            " ".join(args), result.stdout, result.stderr))
    return result.stdout


def run_packet(prog, frame, workdir, repeat):
    data_in = os.path.join(workdir, "in.bin")
    data_out = os.path.join(workdir, "out.bin")
    with open(data_in, "wb") as f:
        f.write(frame)
    out = bpftool("prog", "run", "pinned", prog, "data_in", data_in,
                  "data_out", data_out, "repeat", str(repeat))
    for line in out.splitlines():
        if line.startswith("Return value:"):
            code = int(line.split(":")[1].split(",")[0])
            with open(data_out, "rb") as f:
                return VERDICTS.get(code, str(code)), f.read()
    raise ScriptError("no return value in bpftool output:\n" + out)


def dump(map_pin):
    entries = json.loads(bpftool("-j", "map", "dump", "pinned", map_pin))
    lines = []
    for entry in entries:
        shown = entry.get("formatted", entry)
        lines.append("%s -> %s" % (
            json.dumps(shown["key"], sort_keys=True, separators=(",", ":")),
            json.dumps(shown["value"], sort_keys=True, separators=(",", ":"))))
    return sorted(lines)


def run_script(obj, script_path, pin_dir, work_dir):
    prog = os.path.join(pin_dir, "prog")
    maps = os.path.join(pin_dir, "maps")
    bpftool("prog", "load", obj, prog, "pinmaps", maps)
    with open(script_path) as f:
        lines = f.readlines()
    for number, raw in enumerate(lines, 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        words = line.split()
        try:
            if words[0] == "map-update":
                bpftool("map", "update", "pinned",
                        os.path.join(maps, words[1]), *words[2:])
                continue
            if words[0] == "dump":
                for entry in dump(os.path.join(maps, words[1])):
                    print("  " + entry)
                continue
            repeat = 1
            if words[0] == "repeat":
                repeat, words = int(words[1]), words[2:]
            verdict, out = run_packet(prog, packet(words), work_dir, repeat)
        except (ScriptError, KeyError, ValueError, IndexError) as e:
            raise ScriptError("%s:%d: %s" % (script_path, number, e))
        extra = " | " + describe_tx(out) if verdict == "TX" else ""
        print("%-5s %s%s" % (verdict, line, extra))


def write_pcap(script_path, out_path):
    frames = []
    with open(script_path) as f:
        for number, raw in enumerate(f, 1):
            words = raw.split("#", 1)[0].split()
            if not words or words[0] in ("map-update", "dump"):
                continue
            repeat = 1
            try:
                if words[0] == "repeat":
                    repeat, words = int(words[1]), words[2:]
                frames += [packet(words)] * repeat
            except (ScriptError, KeyError, ValueError, IndexError) as e:
                raise ScriptError("%s:%d: %s" % (script_path, number, e))
    with open(out_path, "wb") as out:
        # Classic pcap, nanosecond resolution, Ethernet.
        out.write(struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 65535, 1))
        for i, frame in enumerate(frames):
            ns = 1700000000 * 10**9 + i * 10**6
            out.write(struct.pack("<IIII", ns // 10**9, ns % 10**9,
                                  len(frame), len(frame)))
            out.write(frame)


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--pcap":
        try:
            write_pcap(sys.argv[3], sys.argv[2])
        except (ScriptError, OSError) as e:
            print("error: %s" % e, file=sys.stderr)
            return 1
        return 0
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    if not os.path.ismount("/sys/fs/bpf"):
        subprocess.run(["mount", "-t", "bpf", "bpf", "/sys/fs/bpf"], check=True)
    # bpffs holds only pins; the packet files go to an ordinary directory.
    pin_dir = tempfile.mkdtemp(prefix="scrcc-test-", dir="/sys/fs/bpf")
    work_dir = tempfile.mkdtemp(prefix="scrcc-xdp-verdicts-")
    try:
        run_script(sys.argv[1], sys.argv[2], pin_dir, work_dir)
    except (ScriptError, OSError) as e:
        print("error: %s" % e, file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(pin_dir, ignore_errors=True)
        shutil.rmtree(work_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
