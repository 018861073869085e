#!/usr/bin/env python3
"""rtp_peer.py -- a test RTP endpoint written apart from the gateway's media
engine (an independent RFC 3550 / RFC 4733 implementation), for the DTMF and
impairment tests.  From 127.0.0.1:LOCAL_PORT to the gateway at
127.0.0.1:GW_PORT, PCMU (payload type 0), 20 ms packets, paced on the
monotonic clock.  GW_PORT 0: wait (up to 60 s) for the gateway's first
packet and answer where it came from (symmetric RTP); the times below count
from then, so the peer can start before the call does.

  rtp_peer.py events LOCAL GW SECONDS [PT]
      sends silence for SECONDS and decodes the telephone-events (RFC 4733,
      payload type PT, default 101) the gateway sends: one digit per event
      (an event is its RTP timestamp; retransmitted and end packets are the
      same event).  Prints digits=... events=N ends=N te_packets=N.
  rtp_peer.py dtmf LOCAL GW DIGITS [PT] [--then SECONDS DIGITS]
      sends silence and each digit as an RFC 4733 event: 100 ms (marker on
      the first packet, duration growing 160 samples a packet), three end
      packets, 100 ms of silence before the next; --then sends DIGITS once
      more SECONDS later (a sentinel: nothing may arrive in between).
  rtp_peer.py tone LOCAL GW SECONDS [--loss PCT] [--jitter MS] [--seed N]
      sends a 1004 Hz tone at -10 dBFS; each packet is dropped with
      probability PCT % and delayed by a uniform 0..MS ms (so some arrive
      out of order), from a random generator seeded with N: the same seed
      drops the same packets.  Prints sent=N dropped=N reordered=N
      loss_pct=P late_max_ms=N (how far behind its plan this program sent:
      a stall of the machine adds to the jitter).
"""
import math
import os
import random
import select
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rtp_noise import ulaw_encode  # noqa: E402

SSRC = 0x7e57d7f0
SILENCE = bytes([0xFF]) * 160
EVENTS = "0123456789*#ABCD"


def rtp(pt, seq, ts, payload, marker=False):
    return struct.pack("!BBHII", 0x80, (0x80 if marker else 0) | pt,
                       seq & 0xFFFF, ts & 0xFFFFFFFF, SSRC) + payload


class Peer:
    def __init__(self, local, gw):
        self.s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.s.bind(("127.0.0.1", local))
        self.received = []                  # (pt, timestamp, payload)
        if gw:
            self.gw = ("127.0.0.1", gw)
        else:
            r, _, _ = select.select([self.s], [], [], 60)
            if not r:
                sys.exit("rtp_peer: nothing from the gateway in 60 s")
            _, self.gw = self.s.recvfrom(2048)
        self.start = time.monotonic()

    def until(self, due):
        """Take what arrives until `due` (monotonic seconds)."""
        while True:
            left = due - time.monotonic()
            r, _, _ = select.select([self.s], [], [], max(0.0, left))
            if r:
                try:
                    pkt = self.s.recv(2048)
                except OSError:             # an ICMP error after the call ended
                    continue
                if len(pkt) >= 12 and pkt[0] >> 6 == 2:
                    self.received.append((pkt[1] & 0x7F, struct.unpack("!I", pkt[4:8])[0],
                                          pkt[12:]))
            if left <= 0:
                return

    def send_at(self, slot, pkt):
        """Send pkt at 20 ms slot `slot` from the start."""
        self.until(self.start + slot * 0.02)
        self.sendto(pkt)

    def sendto(self, pkt):
        try:
            self.s.sendto(pkt, self.gw)
        except OSError:                     # the call is over
            pass


def events(peer, seconds, pt):
    for i in range(int(seconds * 50)):
        peer.send_at(i, rtp(0, i, 160 * i, SILENCE))
    digits, seen, ends, te = "", set(), 0, 0
    for p, ts, pl in peer.received:
        if p != pt or len(pl) < 4:
            continue
        te += 1
        if pl[1] & 0x80:
            ends += 1
        if ts not in seen:
            seen.add(ts)
            digits += EVENTS[pl[0]] if pl[0] < len(EVENTS) else "?"
    print("digits=%s events=%d ends=%d te_packets=%d" % (digits, len(seen), ends, te))


def dtmf(peer, digits, pt, then):
    slot = seq = 0

    def send(pl, ptype=0, marker=False, ts=None):
        nonlocal slot, seq
        peer.send_at(slot, rtp(ptype, seq, 160 * slot if ts is None else ts, pl, marker))
        slot += 1
        seq += 1

    def silence(n):
        for _ in range(n):
            send(SILENCE)

    def digit(d):
        ts, ev = 160 * slot, EVENTS.index(d)
        for k in range(1, 6):                           # 100 ms
            send(struct.pack("!BBH", ev, 10, 160 * k), pt, k == 1, ts)
        for _ in range(3):                              # the end, sent three times
            send(struct.pack("!BBH", ev, 0x80 | 10, 800), pt, False, ts)

    silence(25)
    for d in digits:
        digit(d)
        silence(5)
    if then:
        silence(int(float(then[0]) * 50))
        for d in then[1]:
            digit(d)
            silence(5)
    silence(50)
    print("sent_digits=%s%s" % (digits, " then=" + then[1] if then else ""))


def tone(peer, seconds, loss, jitter, seed):
    rnd = random.Random(seed)
    amp = 32767 * 10 ** (-10 / 20)
    plan, dropped = [], 0
    for i in range(int(seconds * 50)):
        pl = bytes(ulaw_encode(int(amp * math.sin(2 * math.pi * 1004 * (160 * i + k) / 8000)))
                   for k in range(160))
        lose, delay = rnd.random() * 100 < loss, rnd.uniform(0, jitter / 1000.0)
        if lose:
            dropped += 1
            continue
        plan.append((i * 0.02 + delay, i, rtp(0, i, 160 * i, pl)))
    plan.sort()
    peer.start = time.monotonic()           # the plan took a while to make
    reordered = sum(1 for a, b in zip(plan, plan[1:]) if b[1] < a[1])
    late = 0.0
    for at, _, pkt in plan:
        peer.until(peer.start + at)
        late = max(late, time.monotonic() - peer.start - at)
        peer.sendto(pkt)
    peer.until(time.monotonic() + 0.2)
    print("sent=%d dropped=%d reordered=%d loss_pct=%.1f late_max_ms=%.0f"
          % (len(plan), dropped, reordered, 100.0 * dropped / max(1, len(plan) + dropped),
             1000 * late))


def option(args, name, default):
    if name in args:
        i = args.index(name)
        v = args[i + 1]
        del args[i:i + 2]
        return v
    return default


def main():
    args = sys.argv[1:]
    if len(args) < 4 or args[0] not in ("events", "dtmf", "tone"):
        sys.exit(__doc__)
    mode, peer = args[0], Peer(int(args[1]), int(args[2]))
    if mode == "events":
        events(peer, float(args[3]), int(args[4]) if len(args) > 4 else 101)
    elif mode == "dtmf":
        then = None
        if "--then" in args:
            i = args.index("--then")
            then = args[i + 1:i + 3]
            del args[i:i + 3]
        dtmf(peer, args[3], int(args[4]) if len(args) > 4 else 101, then)
    else:
        loss = float(option(args, "--loss", "0"))
        jitter = float(option(args, "--jitter", "0"))
        seed = int(option(args, "--seed", "1"))
        tone(peer, float(args[3]), loss, jitter, seed)


if __name__ == "__main__":
    main()
