#!/usr/bin/env python3
"""sip_send.py -- send raw SIP messages to a SIP server and report what came back.

  sip_send.py files  --port P --transport udp|tcp [--own-via] FILE...
      Each file's bytes as they are (one datagram, or one fresh TCP
      connection per message); with --own-via the first Via's sent-by is
      ours (RFC 4475 messages name foreign hosts there, and the answer goes
      to the Via).  Prints "NAME CODES" per file, CODES being the status
      codes received (comma separated, "-" when none).
  sip_send.py fuzz   --port P --seed N --count M FILE...
      M messages made by mutating the files' messages (random byte flips,
      cut/duplicated/swapped lines, oversized and binary header values,
      bad lengths, truncation), sent mostly over UDP and every fifth over
      TCP; the same seed gives the same messages.  Prints a summary line.
  sip_send.py options --port P [--transport udp|tcp]
      One well-formed OPTIONS; prints its status code (exit 1 if none).

Only loopback addresses are used; responses the server sends to a message's
foreign Via (RFC 3261 18.2.2) never reach us over UDP -- run under a network
namespace with loopback only so they go nowhere (test_sip_torture.sh does).
"""
import argparse
import os
import random
import re
import socket
import sys
import time

HOST = "127.0.0.1"


def codes_in(data):
    return [int(m.group(1)) for m in re.finditer(rb"(?:^|\r?\n)SIP/2\.0 (\d{3}) ", data)]


def phrases_in(data):
    return [m.group(1).decode("utf-8", "replace")
            for m in re.finditer(rb"(?:^|\r?\n)SIP/2\.0 (\d{3} [^\r\n]*)", data)]


LAST = {}


def finished(codes):
    return any(c >= 200 for c in codes)


VIA = re.compile(rb"^((?:Via|v)[ \t]*:[ \t]*SIP[ \t]*/[ \t]*2\.0[ \t]*/[ \t]*)[A-Za-z]+[ \t]+[^;\r\n]+",
                 re.I | re.M)


def own_via(msg, transport, addr):
    """The first Via's sent-by (and transport) made ours, so the answer
    comes back to us; messages whose first Via does not parse stay as they are."""
    head, sep, body = msg.partition(b"\r\n\r\n")
    head = VIA.sub(lambda m: m.group(1) + transport.upper().encode() + b" " +
                   ("%s:%d" % addr).encode(), head, count=1)
    return head + sep + body


def send_udp(port, msg, wait=0.4, rewrite=False):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((HOST, 0))
    if rewrite:
        msg = own_via(msg, "udp", s.getsockname())
    s.settimeout(wait)
    try:
        s.sendto(msg[:65000], (HOST, port))
    except OSError:
        s.close()
        return []
    got = b""
    end = time.monotonic() + wait
    while time.monotonic() < end and not finished(codes_in(got)):
        try:
            got += s.recv(65535)
        except OSError:
            break
    s.close()
    LAST["phrases"] = phrases_in(got)
    return codes_in(got)


def send_tcp(port, msg, wait=0.8, rewrite=False):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(wait)
    got = b""
    try:
        s.connect((HOST, port))
        if rewrite:
            msg = own_via(msg, "tcp", s.getsockname())
        s.sendall(msg)
        end = time.monotonic() + wait
        while time.monotonic() < end and not finished(codes_in(got)):
            chunk = s.recv(65535)
            if not chunk:
                break
            got += chunk
    except OSError:
        pass
    finally:
        s.close()
    LAST["phrases"] = phrases_in(got)
    return codes_in(got)


def options_msg(port, transport):
    branch = "z9hG4bK%08x" % random.getrandbits(32)
    return ("OPTIONS sip:%s:%d SIP/2.0\r\n"
            "Via: SIP/2.0/%s %s:9;branch=%s;rport\r\n"
            "From: <sip:probe@%s>;tag=%x\r\n"
            "To: <sip:%s:%d>\r\n"
            "Call-ID: %x@%s\r\n"
            "CSeq: 1 OPTIONS\r\n"
            "Max-Forwards: 70\r\n"
            "Content-Length: 0\r\n\r\n" % (
                HOST, port, transport.upper(), HOST, branch, HOST, random.getrandbits(32),
                HOST, port, random.getrandbits(48), HOST)).encode()


def mutate(rng, msg):
    lines = msg.split(b"\r\n")
    op = rng.randrange(12)
    if op == 0:                                 # flip bytes
        b = bytearray(msg)
        for _ in range(rng.randint(1, 8)):
            if b:
                b[rng.randrange(len(b))] = rng.randrange(256)
        return bytes(b)
    if op == 1:                                 # truncate
        return msg[:rng.randrange(len(msg) + 1)]
    if op == 2:                                 # drop a line
        if len(lines) > 1:
            del lines[rng.randrange(len(lines))]
    elif op == 3:                               # duplicate a line many times
        i = rng.randrange(len(lines))
        lines[i:i] = [lines[i]] * rng.randint(2, 200)
    elif op == 4:                               # swap two lines
        i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    elif op == 5:                               # an oversized header value
        i = rng.randrange(len(lines))
        lines[i] += b"x" * rng.choice([100, 1000, 5000, 20000])
    elif op == 6:                               # binary junk in a header
        i = rng.randrange(len(lines))
        lines[i] += bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
    elif op == 7:                               # a bad Content-Length
        v = rng.choice([b"-1", b"999999999999", b"0", b"abc", b"4294967296", b"65536"])
        lines = [re.sub(rb"^(Content-Length|l)\s*:.*$", b"Content-Length: " + v, ln, flags=re.I)
                 for ln in lines]
    elif op == 8:                               # numbers pushed to their limits
        v = rng.choice([b"0", b"-1", b"4294967295", b"4294967296", b"99999999999999999999"])
        lines = [re.sub(rb"^(CSeq|Max-Forwards|Expires)\s*:\s*\d+", lambda m: m.group(1) + b": " + v,
                        ln, flags=re.I) for ln in lines]
    elif op == 9:                               # a header with no colon / an empty name
        lines.insert(rng.randrange(1, len(lines) + 1), rng.choice([b"NoColonHere", b": empty-name",
                                                                    b"X:" + b";" * 300, b"\t"]))
    elif op == 10:                              # CRLF games
        i = rng.randrange(len(lines))
        lines[i] = lines[i].replace(b" ", rng.choice([b"\r\n ", b"\n", b"\r", b"\x00"]), 1)
    else:                                       # two mutations
        return mutate(rng, mutate(rng, msg))
    return b"\r\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["files", "fuzz", "options"])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--transport", default="udp", choices=["udp", "tcp"])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--own-via", action="store_true",
                    help="files: make the first Via ours so the answer comes back")
    ap.add_argument("files", nargs="*")
    a = ap.parse_intermixed_args()
    send = send_udp if a.transport == "udp" else send_tcp

    if a.mode == "options":
        codes = send(a.port, options_msg(a.port, a.transport), wait=3)
        print(",".join(map(str, codes)) or "-")
        return 0 if finished(codes) else 1
    if a.mode == "files":
        for f in a.files:
            with open(f, "rb") as fh:
                codes = send(a.port, fh.read(), rewrite=a.own_via)
            print("%s %s %s" % (os.path.basename(f), ",".join(map(str, codes)) or "-",
                                 "|".join(LAST.get("phrases", []))), flush=True)
        return 0
    rng = random.Random(a.seed)
    base = []
    for f in a.files:
        with open(f, "rb") as fh:
            base.append(fh.read())
    base.append(options_msg(a.port, "udp"))
    answered = 0
    for i in range(a.count):
        msg = mutate(rng, rng.choice(base))
        if i % 5 == 4:
            answered += bool(send_tcp(a.port, msg, wait=0.05))
        else:
            answered += bool(send_udp(a.port, msg, wait=0.005))
    print("fuzz: %d messages sent (seed %d), %d answered to us" % (a.count, a.seed, answered))
    return 0


if __name__ == "__main__":
    sys.exit(main())
