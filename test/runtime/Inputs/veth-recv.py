#!/usr/bin/env python3
"""veth-recv.py IFACE SECONDS READY_FILE

Captures IPv4 frames that reach IFACE's stack (i.e. that XDP passed) for
SECONDS, touching READY_FILE once the socket listens, then prints per source
address the number of frames and the last byte of each Ethernet source
address (in arrival order), e.g. "10.0.0.2 passed 5 mac 1,2,3,4,5".
"""
import collections
import socket
import sys
import time


def main():
    iface, seconds, ready = sys.argv[1], float(sys.argv[2]), sys.argv[3]
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
    s.bind((iface, 0))
    s.settimeout(0.05)
    open(ready, "w").close()
    seen = collections.OrderedDict()
    end = time.time() + seconds
    while time.time() < end:
        try:
            f, addr = s.recvfrom(65535)
        except socket.timeout:
            continue
        if addr[2] == socket.PACKET_OUTGOING or len(f) < 34:
            continue
        src = socket.inet_ntoa(f[26:30])
        seen.setdefault(src, []).append(f[11])
    for src in sorted(seen):
        macs = seen[src]
        print("%s passed %d mac %s" % (src, len(macs),
                                       ",".join(str(m) for m in macs)))


if __name__ == "__main__":
    main()
