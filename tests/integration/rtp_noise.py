#!/usr/bin/env python3
"""rtp_noise.py -- a test RTP endpoint for the echo canceller test: from
127.0.0.1:LOCAL_PORT it sends PCMU white noise (-20 dBFS, 20 ms packets) to
the gateway at 127.0.0.1:GW_PORT for SECONDS and takes what comes back.
Prints one line: sent and received power (dBFS) over the last two seconds
and their difference, the echo return loss the far end hears (the echo
path's loss plus what the echo canceller removed).

    rtp_noise.py LOCAL_PORT GW_PORT SECONDS
"""
import math
import random
import select
import socket
import struct
import sys
import time


def ulaw_decode(b):
    b = ~b & 0xFF
    sign, exp, mant = b & 0x80, (b >> 4) & 7, b & 0x0F
    v = ((mant << 3) + 0x84) << exp
    v -= 0x84
    return -v if sign else v


def ulaw_encode(x):
    sign = 0x80 if x < 0 else 0
    x = min(abs(x), 32635) + 0x84
    exp = 7
    for e in range(7, -1, -1):
        if x & (0x4000 >> (7 - e)):
            exp = e
            break
    mant = (x >> (exp + 3)) & 0x0F
    return ~(sign | (exp << 4) | mant) & 0xFF


DEC = [ulaw_decode(i) for i in range(256)]


def main():
    local, gw, seconds = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", local))
    rnd = random.Random(1)
    amp = 32767 * 10 ** (-20 / 20) * math.sqrt(3)   # uniform noise at -20 dBFS rms
    start = time.monotonic()
    n = int(seconds * 50)
    tail = max(1, n - 100)                          # the last 2 s are measured
    sent_e = recv_e = 0.0
    sent_n = recv_n = 0
    for i in range(n):
        pcm = [int(rnd.uniform(-amp, amp)) for _ in range(160)]
        pl = bytes(ulaw_encode(v) for v in pcm)
        s.sendto(struct.pack("!BBHII", 0x80, 0, i & 0xFFFF, 160 * i, 0x5eed5eed) + pl,
                 ("127.0.0.1", gw))
        if i >= tail:
            sent_e += sum(DEC[b] ** 2 for b in pl)
            sent_n += 160
        due = start + (i + 1) * 0.02
        while True:
            left = due - time.monotonic()
            r, _, _ = select.select([s], [], [], max(0.0, left))
            if not r:
                break
            pkt, _ = s.recvfrom(2048)
            if len(pkt) > 12 and (pkt[1] & 0x7F) == 0 and i >= tail:
                recv_e += sum(DEC[b] ** 2 for b in pkt[12:])
                recv_n += len(pkt) - 12
            if left <= 0:
                break
    full = 32767.0 ** 2 / 2
    sent_db = 10 * math.log10(max(sent_e / max(sent_n, 1), 1e-9) / full)
    recv_db = 10 * math.log10(max(recv_e / max(recv_n, 1), 1e-9) / full)
    print("sent_dbfs=%.1f recv_dbfs=%.1f return_loss_db=%.1f recv_samples=%d"
          % (sent_db, recv_db, sent_db - recv_db, recv_n))


if __name__ == "__main__":
    main()
