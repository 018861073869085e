#!/usr/bin/env python3
"""srtp_peer.py -- a SIP-over-TLS user agent with RTP/SRTP media for the SRTP
tests through the gateway, written apart from the gateway's code: SIP by
hand on Python's ssl, SRTP (RFC 3711: AES-CM key derivation and encryption,
HMAC-SHA1 tags, MKI; RFC 6188 AES-256) on the `cryptography` package, PCMU
by table, G.722 through spandsp's 16 kHz codec (ctypes): a wideband peer.

  srtp_peer.py uas PORT [options]   answer one INVITE on 127.0.0.1:PORT (TLS)
  srtp_peer.py uac PORT GW_PORT NUMBER [options]
                                    call NUMBER at the gateway's 127.0.0.1:GW_PORT
                                    (TLS; PORT is our own TLS listener)
Options:
  --certs DIR          test CA and certificates (DIR/ca.pem, DIR/peer.pem, DIR/peer.key)
  --codec pcmu|g722    the one codec we offer or take (default pcmu)
  --suite SUITE|none   the crypto suite we take (uas) or offer (uac: SUITE,SUITE... one
                       a=crypto line each, tags 1..n); default AES_CM_128_HMAC_SHA1_80
  --mki N              our key carries an MKI of N bytes (value 1), as Lync's |2^31|1:1
  --proto AVP|SAVP     uac: the m= profile we offer (default SAVP)
  --optional           uac: add a=encryption:optional (Lync "supported" SRTP)
  --seconds S          media time after the answer (default 6); then we send BYE
  --abuse              mid-call, send packets the gateway must drop (see abuse())
  --out FILE           results as JSON (what was offered/answered, media figures)

Media: a 1004 Hz tone at -10 dBFS (peak) from us, 20 ms packets; what the
gateway sends is authenticated and decrypted with its key (from its SDP),
decoded, and measured in half seconds (the best one, and how many were
clean): frequency from zero crossings, level by Goertzel at 1004 Hz, and
the share of the power at 1004 Hz.
"""
import argparse
import base64
import ctypes
import ctypes.util
import hashlib
import hmac
import json
import math
import os
import random
import re
import select
import socket
import ssl
import struct
import sys
import time

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rtp_noise import DEC as ULAW_DEC, ulaw_encode  # noqa: E402

HOST = "127.0.0.1"
SUITES = {      # name: (master key bytes, RTP tag bytes)
    "AES_CM_128_HMAC_SHA1_80": (16, 10), "AES_CM_128_HMAC_SHA1_32": (16, 4),
    "AES_256_CM_HMAC_SHA1_80": (32, 10), "AES_256_CM_HMAC_SHA1_32": (32, 4),
}


# ---------------------------------------------------------------- SRTP
def aes_cm(key, iv, data):
    c = Cipher(algorithms.AES(key), modes.CTR(iv)).encryptor()
    return c.update(data) + c.finalize()


class SrtpKey:
    """One direction's SRTP/SRTCP keys (RFC 3711 4.3, key derivation rate 0)."""

    def __init__(self, suite, master, mki=b""):
        klen, self.tag = SUITES[suite]
        self.suite, self.master, self.mki = suite, master, mki
        mk, ms = master[:klen], master[klen:klen + 14]

        def derive(label, n):
            x = bytearray(ms)
            x[7] ^= label       # label || r (48 bits, 0) aligned right in the 112 bits
            return aes_cm(mk, bytes(x) + b"\0\0", b"\0" * n)
        self.k_e, self.k_a, self.k_s = derive(0, klen), derive(1, 20), derive(2, 14)
        self.c_e, self.c_a, self.c_s = derive(3, klen), derive(4, 20), derive(5, 14)
        self.roc, self.s_l = 0, None            # receive side (RFC 3711 3.3.1)

    @staticmethod
    def iv(salt, ssrc, index):
        v = bytearray(salt + b"\0\0")
        for i, b in enumerate(struct.pack("!I", ssrc)):
            v[4 + i] ^= b
        for i, b in enumerate(struct.pack("!Q", index)[2:]):
            v[8 + i] ^= b
        return bytes(v)

    def protect(self, pkt, roc=0):
        cc = pkt[0] & 0x0F
        hl = 12 + 4 * cc
        seq, ssrc = struct.unpack("!H", pkt[2:4])[0], struct.unpack("!I", pkt[8:12])[0]
        enc = pkt[:hl] + aes_cm(self.k_e, self.iv(self.k_s, ssrc, (roc << 16) | seq), pkt[hl:])
        tag = hmac.new(self.k_a, enc + struct.pack("!I", roc), hashlib.sha1).digest()[:self.tag]
        return enc + self.mki + tag

    def unprotect(self, pkt):
        """The RTP packet, or None when it does not authenticate."""
        hl = 12 + 4 * (pkt[0] & 0x0F)
        if len(pkt) < hl + len(self.mki) + self.tag:
            return None
        seq, ssrc = struct.unpack("!H", pkt[2:4])[0], struct.unpack("!I", pkt[8:12])[0]
        if self.s_l is None:
            v = self.roc
        elif self.s_l < 32768:
            v = self.roc - 1 if seq - self.s_l > 32768 else self.roc
        else:
            v = self.roc + 1 if self.s_l - 32768 > seq else self.roc
        body, tag = pkt[:-self.tag - len(self.mki)], pkt[-self.tag:]
        if self.mki and pkt[-self.tag - len(self.mki):-self.tag] != self.mki:
            return None
        want = hmac.new(self.k_a, body + struct.pack("!I", v % 2**32), hashlib.sha1).digest()
        if not hmac.compare_digest(want[:self.tag], tag):
            return None
        if self.s_l is None or v > self.roc or (v == self.roc and seq > self.s_l):
            self.roc, self.s_l = v, seq
        return body[:hl] + aes_cm(self.k_e, self.iv(self.k_s, ssrc, (v << 16) | seq), body[hl:])

    def unprotect_rtcp(self, pkt):
        """SRTCP (tag 80 bits for every suite here): the RTCP packet or None."""
        t = 10
        if len(pkt) < 8 + 4 + len(self.mki) + t:
            return None
        body, tag = pkt[:-t - len(self.mki)], pkt[-t:]
        want = hmac.new(self.c_a, body, hashlib.sha1).digest()[:t]
        if not hmac.compare_digest(want, tag):
            return None
        e_index = struct.unpack("!I", body[-4:])[0]
        ssrc = struct.unpack("!I", body[4:8])[0]
        data = body[8:-4]
        if e_index & 0x80000000:
            data = aes_cm(self.c_e, self.iv(self.c_s, ssrc, e_index & 0x7FFFFFFF), data)
        return body[:8] + data

    def crypto_line(self, tag):
        mki = "|2^31|%d:%d" % (int.from_bytes(self.mki, "big"), len(self.mki)) if self.mki else ""
        return "a=crypto:%d %s inline:%s%s" % (tag, self.suite,
                                               base64.b64encode(self.master).decode(), mki)


def parse_crypto(value):
    """'TAG SUITE inline:KEY[|LIFETIME][|MKI:LEN]' -> (tag, SrtpKey) or None."""
    m = re.match(r"(\d+) (\S+) inline:([A-Za-z0-9+/=]+)((?:\|[^|\s]+)*)", value)
    if not m or m.group(2) not in SUITES:
        return None
    mki = b""
    for p in m.group(4).split("|")[1:]:
        if ":" in p:
            v, n = p.split(":")
            mki = int(v).to_bytes(int(n), "big")
    return int(m.group(1)), SrtpKey(m.group(2), base64.b64decode(m.group(3)), mki)


# ---------------------------------------------------------------- codecs
class G722:
    """spandsp's G.722 at 16 kHz (the gateway uses its 8 kHz sub-band mode)."""

    def __init__(self):
        lib = ctypes.CDLL(ctypes.util.find_library("spandsp") or "libspandsp.so.2")
        for f in ("g722_encode_init", "g722_decode_init"):
            getattr(lib, f).restype = ctypes.c_void_p
            getattr(lib, f).argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int]
        lib.g722_encode.argtypes = lib.g722_decode.argtypes = [ctypes.c_void_p, ctypes.c_void_p,
                                                               ctypes.c_void_p, ctypes.c_int]
        self.lib = lib
        self.enc = lib.g722_encode_init(None, 64000, 0)
        self.dec = lib.g722_decode_init(None, 64000, 0)

    def encode(self, pcm):
        a = (ctypes.c_int16 * len(pcm))(*pcm)
        out = (ctypes.c_uint8 * len(pcm))()
        n = self.lib.g722_encode(self.enc, out, a, len(pcm))
        return bytes(out[:n])

    def decode(self, data):
        a = (ctypes.c_uint8 * len(data)).from_buffer_copy(data)
        out = (ctypes.c_int16 * (2 * len(data)))()
        n = self.lib.g722_decode(self.dec, out, a, len(data))
        return list(out[:n])


class Codec:
    def __init__(self, name):
        self.name = name
        self.rate, self.pt = (16000, 9) if name == "g722" else (8000, 0)
        self.g722 = G722() if name == "g722" else None

    def encode(self, pcm):
        return self.g722.encode(pcm) if self.g722 else bytes(ulaw_encode(x) for x in pcm)

    def decode(self, data):
        return self.g722.decode(data) if self.g722 else [ULAW_DEC[b] for b in data]


def measure(pcm, rate):
    """The best (purest) half second after the first second, each measured
    alone, and the share of half seconds that carry the tone cleanly: a
    loaded machine can stall tgsim, the span or the gateway for a few
    frames, which is not what this checks (the jitter-buffer tests do)."""
    half, best, good, n = rate // 2, {"hz": 0, "dbfs": -99, "purity": 0}, 0, 0
    for at in range(rate, len(pcm) - half + 1, half):
        m = measure1(pcm[at:at + half], rate)
        n += 1
        good += m["purity"] > 0.9 and abs(m["hz"] - 1004) <= 2
        if m["purity"] > best["purity"]:
            best = m
    return dict(best, clean_halves="%d/%d" % (good, n))


def measure1(x, rate):
    """Frequency (zero crossings), level at 1004 Hz (dBFS of the peak) and
    the share of the power at 1004 Hz, over x."""
    if not x:
        return {"hz": 0, "dbfs": -99, "purity": 0}
    zc = sum(1 for a, b in zip(x, x[1:]) if (a < 0) != (b < 0))
    w = 2 * math.pi * 1004 / rate
    c, s1, s2 = 2 * math.cos(w), 0.0, 0.0
    for v in x:
        s1, s2 = v + c * s1 - s2, s1
    amp = 2 * math.sqrt(max(0.0, s1 * s1 + s2 * s2 - c * s1 * s2)) / len(x)
    total = sum(v * v for v in x) / len(x)
    return {"hz": round(zc * rate / 2.0 / len(x), 1),
            "dbfs": round(20 * math.log10(max(amp, 1e-9) / 32767), 2),
            "purity": round((amp * amp / 2) / total, 3) if total else 0}


# ---------------------------------------------------------------- SIP
def tls_ctx(certs, server):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER if server else ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_cert_chain(os.path.join(certs, "peer.pem"), os.path.join(certs, "peer.key"))
    ctx.load_verify_locations(os.path.join(certs, "ca.pem"))
    if server:
        ctx.verify_mode = ssl.CERT_OPTIONAL
    else:
        ctx.check_hostname = False      # the gateway's certificate names gw.test
        ctx.verify_mode = ssl.CERT_REQUIRED
    return ctx


class Msg:
    def __init__(self, raw):
        head, _, self.body = raw.partition(b"\r\n\r\n")
        lines = head.decode("utf-8", "replace").split("\r\n")
        self.first, self.headers = lines[0], []
        for ln in lines[1:]:
            n, _, v = ln.partition(":")
            self.headers.append((n.strip().lower(), v.strip()))
        self.body = self.body.decode("utf-8", "replace")
        m = re.match(r"SIP/2\.0 (\d{3})", self.first)
        self.code = int(m.group(1)) if m else 0
        self.method = "" if self.code else self.first.split(" ")[0]

    def h(self, name, all_=False):
        short = {"via": "v", "from": "f", "to": "t", "call-id": "i", "contact": "m", "cseq": ""}
        v = [val for n, val in self.headers if n == name or (short.get(name) and n == short[name])]
        return v if all_ else (v[0] if v else "")


class Conn:
    def __init__(self, sock):
        self.s, self.buf = sock, b""

    def send(self, text):
        self.s.sendall(text.encode() if isinstance(text, str) else text)

    def read(self):
        """Complete messages now buffered (after one recv); None when closed."""
        try:
            d = self.s.recv(65536)
        except ssl.SSLWantReadError:
            return []
        except OSError:
            d = b""
        if not d:
            return None
        self.buf += d
        out = []
        while b"\r\n\r\n" in self.buf:
            head, _, rest = self.buf.partition(b"\r\n\r\n")
            m = re.search(rb"(?im)^(?:content-length|l)\s*:\s*(\d+)", head)
            n = int(m.group(1)) if m else 0
            if len(rest) < n:
                break
            out.append(Msg(head + b"\r\n\r\n" + rest[:n]))
            self.buf = rest[n:]
        return out


def sdp(port, codec, proto, cryptos, optional, sess):
    fmt = "%d 101" % codec.pt
    enc = "G722/8000" if codec.name == "g722" else "PCMU/8000"
    lines = ["v=0", "o=peer %d 1 IN IP4 %s" % (sess, HOST), "s=-", "c=IN IP4 %s" % HOST, "t=0 0",
             "m=audio %d RTP/%s %s" % (port, proto, fmt), "a=rtpmap:%d %s" % (codec.pt, enc),
             "a=rtpmap:101 telephone-event/8000", "a=fmtp:101 0-16", "a=ptime:20"]
    lines += cryptos
    if optional:
        lines.append("a=encryption:optional")
    lines.append("a=sendrecv")
    return "\r\n".join(lines) + "\r\n"


def sdp_media(body):
    """(port, proto, crypto values) of the first m=audio."""
    m = re.search(r"(?m)^m=audio (\d+) (\S+)", body)
    return (int(m.group(1)), m.group(2)) if m else (0, ""), re.findall(r"(?m)^a=crypto:(.*?)\r?$", body)


# ---------------------------------------------------------------- the call
class Peer:
    def __init__(self, a):
        self.a = a
        self.codec = Codec(a.codec)
        self.rtp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        for _ in range(50):                 # an even port, RTCP on the odd one above
            p = random.randrange(20000, 30000) & ~1
            try:
                self.rtp.bind((HOST, p))
                self.rtcp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                self.rtcp.bind((HOST, p + 1))
                break
            except OSError:
                self.rtp.close()
                self.rtp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.port = self.rtp.getsockname()[1]
        self.tx, self.txkeys = None, {}     # uac: one key per offered suite, tags 1..n
        for i, su in enumerate(x for x in a.suite.split(",") if x != "none"):
            self.txkeys[i + 1] = SrtpKey(su, os.urandom(SUITES[su][0] + 14),
                                         b"\x01".rjust(a.mki, b"\0") if a.mki else b"")
        self.tx = self.txkeys.get(1)
        self.res = {"mode": a.mode, "codec": a.codec}
        self.conns, self.lsock = [], None
        self.ssrc = random.getrandbits(32)
        self.tag = "%x" % random.getrandbits(40)
        self.cseq = 1

    # SIP plumbing
    def listen(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((HOST, self.a.port))
        s.listen(4)
        self.lsock = s
        self.sctx = tls_ctx(self.a.certs, True)

    def poll(self, timeout, extra=()):
        """Messages that arrived within timeout, as (conn, msg)."""
        rs = [c.s for c in self.conns] + ([self.lsock] if self.lsock else []) + list(extra)
        r, _, _ = select.select(rs, [], [], max(0, timeout))
        got = []
        for s in r:
            if s is self.lsock:
                c, _ = s.accept()
                try:
                    c = self.sctx.wrap_socket(c, server_side=True)
                    cert = c.getpeercert() or {}
                    self.res["client_cert_cn"] = dict(x[0] for x in cert.get("subject", ())).get("commonName", "")
                    self.conns.append(Conn(c))
                except (ssl.SSLError, OSError) as e:
                    self.res.setdefault("tls_errors", []).append(str(e))
                continue
            for c in list(self.conns):
                if c.s is s:
                    ms = c.read()
                    if ms is None:
                        self.conns.remove(c)
                        c.s.close()
                        continue
                    got += [(c, m) for m in ms]
                    while c.s.pending():
                        got += [(c, m) for m in (c.read() or [])]
        return got

    def reply(self, conn, req, code, reason, body="", extra=()):
        hs = ["SIP/2.0 %d %s" % (code, reason)]
        hs += ["Via: %s" % v for v in req.h("via", True)]
        to = req.h("to")
        if code > 100 and ";tag=" not in to:
            to += ";tag=" + self.tag
        hs += ["From: %s" % req.h("from"), "To: %s" % to, "Call-ID: %s" % req.h("call-id"),
               "CSeq: %s" % req.h("cseq")]
        hs += list(extra)
        if body:
            hs.append("Content-Type: application/sdp")
        hs.append("Content-Length: %d" % len(body.encode()))
        conn.send("\r\n".join(hs) + "\r\n\r\n" + body)

    def request(self, conn, method, uri, frm, to, callid, cseq, body="", branch=None):
        lp = conn.s.getsockname()[1]
        hs = ["%s %s SIP/2.0" % (method, uri),
              "Via: SIP/2.0/TLS %s:%d;branch=%s;alias" % (HOST, lp, branch or "z9hG4bK%x" % random.getrandbits(48)),
              "Max-Forwards: 70", "From: %s" % frm, "To: %s" % to, "Call-ID: %s" % callid,
              "CSeq: %d %s" % (cseq, method),
              "Contact: <sip:peer@%s:%d;transport=tls>" % (HOST, self.a.port)]
        if body:
            hs.append("Content-Type: application/sdp")
        hs.append("Content-Length: %d" % len(body.encode()))
        conn.send("\r\n".join(hs) + "\r\n\r\n" + body)

    # the two roles
    def uas(self):
        self.listen()
        end = time.monotonic() + 60
        while time.monotonic() < end:
            for c, m in self.poll(end - time.monotonic()):
                if m.method == "OPTIONS":
                    self.reply(c, m, 200, "OK")
                elif m.method == "INVITE":
                    return self.answer(c, m)
        sys.exit("srtp_peer: no INVITE within 60 s")

    def answer(self, c, inv):
        self.res["offer"] = inv.body
        (gport, proto), cryptos = sdp_media(inv.body)
        self.res["offer_proto"], self.res["offer_crypto"] = proto, cryptos
        self.reply(c, inv, 100, "Trying")
        lines, self.rx = [], None
        if self.tx:
            for cv in cryptos:
                p = parse_crypto(cv)
                if p and p[1].suite == self.tx.suite:
                    self.rx = p[1]
                    lines = [self.tx.crypto_line(p[0])]
                    break
        body = sdp(self.port, self.codec, proto.split("/")[1] if "/" in proto else "AVP", lines, False, 2)
        self.res["answer"] = body
        self.dialog = {"conn": c, "uri": re.sub(r".*<([^>]*)>.*", r"\1", inv.h("contact")),
                       "from": inv.h("to") + ";tag=" + self.tag, "to": inv.h("from"),
                       "callid": inv.h("call-id")}
        self.reply(c, inv, 200, "OK", body, ["Contact: <sip:peer@%s:%d;transport=tls>" % (HOST, self.a.port)])
        self.media(gport)

    def uac(self):
        self.listen()
        raw = socket.create_connection((HOST, self.a.gw_port))
        c = Conn(tls_ctx(self.a.certs, False).wrap_socket(raw))
        cert = c.s.getpeercert()
        self.res["server_cert_cn"] = dict(x[0] for x in cert["subject"]).get("commonName", "")
        self.conns.append(c)
        lines = [k.crypto_line(t) for t, k in sorted(self.txkeys.items())]
        body = sdp(self.port, self.codec, self.a.proto, lines, self.a.optional, 1)
        self.res["offer"] = body
        uri = "sip:%s@%s:%d;transport=tls" % (self.a.number, HOST, self.a.gw_port)
        frm = "<sip:peer@%s>;tag=%s" % (HOST, self.tag)
        callid = "%x@srtp-peer" % random.getrandbits(64)
        branch = "z9hG4bK%x" % random.getrandbits(48)
        self.request(c, "INVITE", uri, frm, "<%s>" % uri, callid, 1, body, branch)
        end = time.monotonic() + 40
        while time.monotonic() < end:
            for cc, m in self.poll(end - time.monotonic()):
                if m.method:
                    self.reply(cc, m, 200, "OK")
                    continue
                if m.code < 200:
                    continue
                self.res["code"] = m.code
                self.res["warning"] = m.h("warning")
                self.res["reason"] = m.h("reason")
                to = m.h("to")
                if m.code >= 300:
                    self.request(c, "ACK", uri, frm, to, callid, 1, branch=branch)
                    return
                self.res["answer"] = m.body
                (gport, proto), cryptos = sdp_media(m.body)
                self.res["answer_proto"], self.res["answer_crypto"] = proto, cryptos
                self.rx = self.tx = None
                for cv in cryptos:
                    p = parse_crypto(cv)
                    if p and p[0] in self.txkeys and p[1].suite == self.txkeys[p[0]].suite:
                        self.tx, self.rx = self.txkeys[p[0]], p[1]
                        self.res["answer_suite"] = p[1].suite
                ruri = re.sub(r".*<([^>]*)>.*", r"\1", m.h("contact")) or uri
                self.request(c, "ACK", ruri, frm, to, callid, 1)
                self.dialog = {"conn": c, "uri": ruri, "from": frm, "to": to, "callid": callid}
                self.cseq = 1
                return self.media(gport)
        sys.exit("srtp_peer: no final answer within 40 s")

    # media
    def rtp_pkt(self, seq, ts, payload, marker=False, ssrc=None):
        return struct.pack("!BBHII", 0x80, (0x80 if marker else 0) | self.codec.pt, seq & 0xFFFF,
                           ts & 0xFFFFFFFF, self.ssrc if ssrc is None else ssrc) + payload

    def media(self, gport):
        a, gw = self.a, (HOST, gport)
        self.gw = gw
        n = int(a.seconds * 50)
        frame = self.codec.rate // 50
        amp = 32767 * 10 ** (-10 / 20)
        pcm, rx_ok, rx_fail, rx_plain, rtcp_ok, rtcp_fail = [], 0, 0, 0, 0, 0
        seq0 = random.randrange(0, 30000)
        self.sent = []
        start, slot, bye = time.monotonic(), 0, False
        while slot < n and not bye:
            due = start + slot * 0.02
            for c, m in self.poll(due - time.monotonic(), [self.rtp, self.rtcp]):
                if m.method == "BYE":
                    self.reply(c, m, 200, "OK")
                    bye = True
                elif m.method:
                    self.reply(c, m, 200, "OK")
            for s in (self.rtp, self.rtcp):
                while True:
                    try:
                        pkt = s.recv(2048, socket.MSG_DONTWAIT)
                    except OSError:
                        break
                    if s is self.rtcp:
                        if self.rx and self.rx.unprotect_rtcp(pkt):
                            rtcp_ok += 1
                        elif self.rx:
                            rtcp_fail += 1
                        continue
                    if self.rx:
                        pkt = self.rx.unprotect(pkt)
                        if pkt is None:
                            rx_fail += 1
                            continue
                        rx_ok += 1
                    else:
                        rx_plain += 1
                    if len(pkt) > 12 and pkt[1] & 0x7F == self.codec.pt:
                        pcm += self.codec.decode(pkt[12 + 4 * (pkt[0] & 0x0F):])
            if time.monotonic() < due:
                continue
            x = [int(amp * math.sin(2 * math.pi * 1004 * (frame * slot + k) / self.codec.rate))
                 for k in range(frame)]
            pkt = self.rtp_pkt(seq0 + slot, 160 * slot, self.codec.encode(x), slot == 0)
            if self.tx and self.rx is not None:
                pkt = self.tx.protect(pkt)
            self.sent.append(pkt)
            try:
                self.rtp.sendto(pkt, gw)
            except OSError:
                pass
            if a.abuse and slot == n // 3:
                self.res["abuse"] = self.abuse(seq0 + slot)
                with open(a.out + ".abused", "w") as f:
                    f.write(json.dumps(self.res["abuse"]))
            slot += 1
        self.res.update({"sent": len(self.sent), "srtp": bool(self.tx and self.rx), "rx_srtp_ok": rx_ok,
                         "rx_srtp_fail": rx_fail, "rx_plain": rx_plain, "rtcp_srtp_ok": rtcp_ok,
                         "rtcp_srtp_fail": rtcp_fail, "bye_from_gateway": bye})
        self.res.update(measure(pcm, self.codec.rate))
        if not bye:
            d = self.dialog
            self.request(d["conn"], "BYE", d["uri"], d["from"], d["to"], d["callid"], 2)
            end = time.monotonic() + 5
            while time.monotonic() < end:
                if any(m.code == 200 for _, m in self.poll(end - time.monotonic())):
                    self.res["bye_ok"] = True
                    break

    def abuse(self, seq):
        """Packets the gateway must drop, sent to its RTP (and RTCP) port:
        counted by kind.  With SRTP every one fails authentication (or the
        replay check) except `foreign_valid`, which authenticates but comes
        from another address; on plain RTP the malformed ones are
        `bad_packets` and the foreign ones `foreign_packets`."""
        gw, rtcp_gw = self.gw, (HOST, self.gw[1] + 1)
        srtp = self.tx is not None and self.rx is not None
        hdr = struct.pack("!BBHII", 0x80, self.codec.pt, seq & 0xFFFF, 0, self.ssrc)
        cases = {
            "short": [b"\x80\x00\x01", b"\x80" * 11],
            "bad_version": [b"\x40" + hdr[1:] + b"\xff" * 160, b"\xc0" + hdr[1:] + b"\xff" * 160],
            "csrc_overrun": [bytes([0x8F]) + hdr[1:] + b"\xff" * 8],
            "rtcp_garbage": [b"\x81\xc9\x00\x40" + b"\0" * 8, b"\x00" * 3],
        }
        if srtp:
            fresh = self.tx.protect(self.rtp_pkt(seq + 10, 160 * 10, b"\xff" * 160))
            cases["bad_tag"] = [fresh[:-1] + bytes([fresh[-1] ^ 0xFF])]
            cases["replay"] = [self.sent[-1], self.sent[-2]]
            cases["plain_rtp"] = [self.rtp_pkt(seq + 7, 0, b"\xff" * 160)]
        sent = {}
        for k, pkts in cases.items():
            for p in pkts:
                if k == "rtcp_garbage":
                    self.rtcp.sendto(p, rtcp_gw)
                else:
                    self.rtp.sendto(p, gw)
            sent[k] = len(pkts)
        # from other addresses: 127.0.0.5 (and .6 with a valid SRTP packet)
        f = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        f.bind(("127.0.0.5", 0))
        pl = self.rtp_pkt(seq + 20, 160 * 20, b"\xff" * 160)
        for i in range(3):
            f.sendto(pl, gw)
        sent["foreign_plain"] = 3
        if srtp:
            g = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            g.bind(("127.0.0.6", 0))
            g.sendto(self.tx.protect(self.rtp_pkt(seq + 40, 160 * 40, b"\xff" * 160)), gw)
            sent["foreign_valid"] = 1
            g.close()
        f.close()
        return sent


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["uas", "uac"])
    ap.add_argument("port", type=int)
    ap.add_argument("gw_port", type=int, nargs="?", default=0)
    ap.add_argument("number", nargs="?", default="")
    ap.add_argument("--certs", required=True)
    ap.add_argument("--codec", default="pcmu", choices=["pcmu", "g722"])
    ap.add_argument("--suite", default="AES_CM_128_HMAC_SHA1_80",
                    help="uac: a comma-separated list (one crypto line each, tags 1..n)")
    ap.add_argument("--mki", type=int, default=0)
    ap.add_argument("--proto", default="SAVP", choices=["AVP", "SAVP"])
    ap.add_argument("--optional", action="store_true")
    ap.add_argument("--seconds", type=float, default=6)
    ap.add_argument("--abuse", action="store_true")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    p = Peer(a)
    try:
        p.uas() if a.mode == "uas" else p.uac()
    finally:
        with open(a.out, "w") as f:
            json.dump(p.res, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
