#!/usr/bin/env python3
"""veth-send.py IFACE FRAMES.pcap [CPUS]

Sends every frame of a pcap (classic, either resolution, native or swapped
byte order) out of IFACE with an AF_PACKET socket. With CPUS (e.g. "0,1")
frame i is sent from CPU CPUS[i mod len]: on veth the receive side runs XDP
on the sending CPU, so this sprays frames round-robin over CPUs like a
sequencer with a multi-queue NIC.
"""
import os
import socket
import struct
import sys
import time


def frames(path):
    data = open(path, "rb").read()
    magic = struct.unpack("<I", data[:4])[0]
    if magic in (0xA1B2C3D4, 0xA1B23C4D):
        end = "<"
    elif magic in (0xD4C3B2A1, 0x4D3CB2A1):
        end = ">"
    else:
        sys.exit("veth-send.py: %s is not a pcap file" % path)
    pos = 24
    while pos + 16 <= len(data):
        incl = struct.unpack(end + "I", data[pos + 8:pos + 12])[0]
        yield data[pos + 16:pos + 16 + incl]
        pos += 16 + incl


def main():
    iface, path = sys.argv[1], sys.argv[2]
    cpus = [int(c) for c in sys.argv[3].split(",")] if len(sys.argv) > 3 else []
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    sent = 0
    for i, f in enumerate(frames(path)):
        if cpus:
            os.sched_setaffinity(0, {cpus[i % len(cpus)]})
        s.send(f)
        sent += 1
        # Let the receiver's NAPI poll finish on this CPU before moving on.
        time.sleep(0.002)
    print("sent %d frames" % sent)


if __name__ == "__main__":
    main()
