#!/usr/bin/env python3
"""veth-send.py IFACE FRAMES.pcap QUEUES [--again J:Q]

Sends every frame of a pcap (classic, either resolution, native or swapped
byte order) out of IFACE with an AF_PACKET socket, frame i on TX queue
QUEUES[i mod len] (e.g. "0,1,2,3"); --again J:Q then sends frame J once more
on TX queue Q.

The queue is chosen with XPS: the sender pins itself to one CPU and, before
a frame, maps that CPU to the frame's TX queue alone
(/sys/class/net/IFACE/queues/tx-N/xps_cpus; run it inside the namespace of
IFACE, e.g. with `ip netns exec`, whose private /sys shows IFACE). An
AF_PACKET socket has no cached TX queue, so the kernel's queue choice for
every frame is the XPS map of the sending CPU. On a veth the TX queue the
frame leaves on is the RX queue it arrives on at the peer.
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


class QueueSteering:
    """Sends from one CPU and moves that CPU's XPS entry between TX queues."""

    def __init__(self, iface):
        self.iface = iface
        self.cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {self.cpu})
        qdir = "/sys/class/net/%s/queues" % iface
        if not os.path.isdir(qdir):
            sys.exit("veth-send.py: no %s (run in IFACE's namespace with its "
                     "own /sys, e.g. ip netns exec)" % qdir)
        self.queues = len([q for q in os.listdir(qdir) if q.startswith("tx-")])
        for q in range(self.queues):
            self._xps(q, 0)
        self.current = None

    def _xps(self, queue, mask):
        with open("/sys/class/net/%s/queues/tx-%d/xps_cpus"
                  % (self.iface, queue), "w") as f:
            f.write("%x" % mask)

    def use(self, queue):
        if queue >= self.queues:
            sys.exit("veth-send.py: %s has no TX queue %d" % (self.iface, queue))
        if queue == self.current:
            return
        # Map the CPU to the new queue before unmapping the old one: a CPU
        # in no XPS map would fall back to hashing over all queues.
        self._xps(queue, 1 << self.cpu)
        if self.current is not None:
            self._xps(self.current, 0)
        self.current = queue


def main():
    args = sys.argv[1:]
    again = None
    if "--again" in args:
        i = args.index("--again")
        j, q = args[i + 1].split(":")
        again = (int(j), int(q))
        del args[i:i + 2]
    iface, path, queues = args[0], args[1], [int(q) for q in args[2].split(",")]
    steer = QueueSteering(iface)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    all_frames = list(frames(path))
    plan = [(f, queues[i % len(queues)]) for i, f in enumerate(all_frames)]
    if again:
        plan.append((all_frames[again[0]], again[1]))
    for f, q in plan:
        steer.use(q)
        s.send(f)
        # Let the receiver's NAPI poll finish before the next frame.
        time.sleep(0.002)
    print("sent %d frames" % len(plan))


if __name__ == "__main__":
    main()
