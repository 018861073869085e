#!/usr/bin/env python3
"""bench/rtpengine_ng.py -- set up N anchored calls in rtpengine over its ng
control protocol (bencode over UDP: "<cookie> <dict>"), for bench/relay.sh.

    rtpengine_ng.py NG_HOST:PORT CALLS A_PORT B_PORT

For call i, leg A is 127.0.0.1:A_PORT and leg B 127.0.0.1:B_PORT (the load
generator's two sockets): an `offer` with A's SDP, then an `answer` with B's.
Prints one line per call: "<port A sends to> <port B sends to>" (the ports in
rtpengine's answer and offer SDP), then waits for stdin to close and
`delete`s every call.  Plain RTP/AVP PCMU, no ICE, no SRTP.
"""
import os
import random
import socket
import sys


def benc(v):
    if isinstance(v, int):
        return b"i%de" % v
    if isinstance(v, str):
        v = v.encode()
    if isinstance(v, bytes):
        return b"%d:%s" % (len(v), v)
    if isinstance(v, list):
        return b"l" + b"".join(benc(x) for x in v) + b"e"
    if isinstance(v, dict):
        return b"d" + b"".join(benc(k) + benc(v[k]) for k in sorted(v)) + b"e"
    raise TypeError(type(v))


def bdec(b, i=0):
    c = b[i:i + 1]
    if c == b"i":
        j = b.index(b"e", i)
        return int(b[i + 1:j]), j + 1
    if c == b"l":
        out, i = [], i + 1
        while b[i:i + 1] != b"e":
            x, i = bdec(b, i)
            out.append(x)
        return out, i + 1
    if c == b"d":
        out, i = {}, i + 1
        while b[i:i + 1] != b"e":
            k, i = bdec(b, i)
            v, i = bdec(b, i)
            out[k.decode()] = v
        return out, i + 1
    j = b.index(b":", i)
    n = int(b[i:j])
    return b[j + 1:j + 1 + n], j + 1 + n


class Ng:
    def __init__(self, host, port):
        self.s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.s.settimeout(5)
        self.addr = (host, port)
        self.n = 0

    def cmd(self, d):
        self.n += 1
        cookie = b"%d_%d" % (os.getpid(), self.n)
        self.s.sendto(cookie + b" " + benc(d), self.addr)
        while True:
            data = self.s.recv(65535)
            c, _, rest = data.partition(b" ")
            if c == cookie:
                r, _ = bdec(rest)
                if r.get("result") not in (b"ok", b"pong"):
                    raise RuntimeError("rtpengine %s: %r" % (d["command"], r))
                return r


def sdp(port, sess):
    return ("v=0\r\no=- %d 1 IN IP4 127.0.0.1\r\ns=bench\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
            "m=audio %d RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=ptime:20\r\na=sendrecv\r\n"
            % (sess, port))


def media_port(r):
    for line in r["sdp"].decode().splitlines():
        if line.startswith("m=audio "):
            return int(line.split()[1])
    raise RuntimeError("no m=audio in rtpengine's SDP")


def main():
    host, port = sys.argv[1].rsplit(":", 1)
    calls, a, b = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    ng = Ng(host, int(port))
    ng.cmd({"command": "ping"})
    run = random.randrange(1 << 30)
    ids = []
    for i in range(calls):
        cid = "bench-%d-%d" % (run, i)
        ids.append(cid)
        off = ng.cmd({"command": "offer", "call-id": cid, "from-tag": "a", "sdp": sdp(a, i),
                      "ICE": "remove", "transport-protocol": "RTP/AVP"})
        ans = ng.cmd({"command": "answer", "call-id": cid, "from-tag": "a", "to-tag": "b",
                      "sdp": sdp(b, i), "ICE": "remove", "transport-protocol": "RTP/AVP"})
        print(media_port(ans), media_port(off), flush=True)
    sys.stdin.read()
    for cid in ids:
        ng.cmd({"command": "delete", "call-id": cid})


if __name__ == "__main__":
    main()
