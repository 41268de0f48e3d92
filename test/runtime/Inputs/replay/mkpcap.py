#!/usr/bin/env python3
"""Writes small deterministic pcap traces for the replay tests.

mkpcap.py OUT.pcap [--packets N] [--sources S] [--seed X] [--runts R]
          [--non-ip M] [--linktype T] [--truncate BYTES] [--order 1,2,..]
          [--size BYTES]

IPv4/UDP frames from S sources (10.0.0.1 ..), sizes 60..200 bytes, 1 us
apart with jitter; M ARP frames and R runt frames (< 14 bytes) mixed in.
--linktype writes another link-layer type; --truncate cuts the file.
"""
import argparse
import random
import struct


def ipv4_udp(src, dst, length, rnd):
    payload = bytes(rnd.getrandbits(8) for _ in range(length - 42))
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, length - 14, rnd.getrandbits(16),
                     0, 64, 17, 0, src, dst)
    udp = struct.pack("!HHHH", 1000 + rnd.randrange(100), 53, length - 34, 0)
    eth = bytes.fromhex("020000000002" "020000000001") + b"\x08\x00"
    return eth + ip + udp + payload


def arp(rnd):
    eth = b"\xff" * 6 + bytes.fromhex("020000000003") + b"\x08\x06"
    return eth + bytes(rnd.getrandbits(8) for _ in range(28)) + b"\x00" * 18


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--packets", type=int, default=100)
    ap.add_argument("--sources", type=int, default=4)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runts", type=int, default=0)
    ap.add_argument("--non-ip", type=int, default=0)
    ap.add_argument("--linktype", type=int, default=1)
    ap.add_argument("--truncate", type=int, default=0)
    ap.add_argument("--order", default="",
                    help="comma-separated source numbers (1 = 10.0.0.1), "
                    "one frame each, instead of --packets random ones")
    ap.add_argument("--size", type=int, default=0,
                    help="every IPv4 frame this many bytes")
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    frames = []
    order = [int(x) - 1 for x in a.order.split(",")] if a.order else \
        [rnd.randrange(a.sources) for _ in range(a.packets)]
    for s in order:
        src = bytes([10, 0, s >> 8, (s & 0xFF) + 1])
        frames.append(ipv4_udp(src, bytes([10, 1, 0, 1]),
                               a.size or rnd.randrange(60, 201), rnd))
    for _ in range(a.non_ip):
        frames.insert(rnd.randrange(len(frames) + 1), arp(rnd))
    for _ in range(a.runts):
        frames.insert(rnd.randrange(len(frames) + 1),
                      bytes(rnd.getrandbits(8) for _ in range(rnd.randrange(1, 14))))
    out = bytearray(struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 262144,
                                a.linktype))
    t = 1_700_000_000_000_000_000
    for f in frames:
        t += 1000 + rnd.randrange(500)
        out += struct.pack("<IIII", t // 10**9, t % 10**9, len(f), len(f)) + f
    if a.truncate:
        out = out[:len(out) - a.truncate]
    with open(a.out, "wb") as fh:
        fh.write(out)


if __name__ == "__main__":
    main()
