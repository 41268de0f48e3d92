#!/usr/bin/env python3
"""Appends L4 bounds-check edge frames to a pcap: IN.pcap -> OUT.pcap.

Real programs check `(void *)(tcp + 1) > data_end` with tcp behind the IPv4
options, so relevance and predicates compare the frame length with
14 + ihl*4 + 20 (TCP) or + 8 (UDP). For every IHL 0..15, TCP and UDP, the
frames end one byte before, at, and one byte after both bounds, so any
sequencer that decided those comparisons with the wrong IHL, the wrong
length or a constant would differ from the reference. Deterministic.
"""
import struct
import sys


def frame(ihl, proto, length, n):
    eth = bytes([0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x00])
    frag = [0, 0x4000, 0x2000, 0x0001][n % 4]  # DF, MF, an offset
    ip = bytes([0x40 | ihl, 0, 0, 0, 0, n & 0xff]) + struct.pack(">H", frag)
    ip += bytes([64, proto, 0, 0, 10, 0, n % 7, 1, 10, 0, 0, 2])
    ip += bytes([1] * max(0, ihl * 4 - 20))  # options: NOP
    l4 = struct.pack(">HH", 1000 + n % 5, [1111, 2222, 3333, 22][n % 4])
    l4 += struct.pack(">II", 0x1000 + n, 0x2000 + n)
    l4 += bytes([0x50, [0x02, 0x12, 0x10, 0x11, 0x04][n % 5]]) + bytes(200)
    p = (eth + ip + l4)[:length]
    return p + bytes(max(0, length - len(p)))


def main():
    src, dst = sys.argv[1], sys.argv[2]
    data = open(src, "rb").read()
    out = bytearray(data)
    magic = struct.unpack("<I", data[:4])[0]
    if magic not in (0xA1B2C3D4, 0xA1B23C4D):
        sys.exit("%s: not a little-endian pcap" % src)
    sec, frac, off = 0, 0, 24
    while off < len(data):
        sec, frac, incl, _ = struct.unpack("<IIII", data[off:off + 16])
        off += 16 + incl
    step = 1000 if magic == 0xA1B23C4D else 1
    n = 0
    for ihl in range(16):
        for proto, hdr in ((6, 20), (17, 8)):
            for bound in (14 + ihl * 4 + 8, 14 + ihl * 4 + hdr):
                for length in (bound - 1, bound, bound + 1):
                    p = frame(ihl, proto, max(14, length), n)
                    n += 1
                    frac += step
                    out += struct.pack("<IIII", sec + 1, frac, len(p), len(p))
                    out += p
    open(dst, "wb").write(out)


if __name__ == "__main__":
    main()
