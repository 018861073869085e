#!/usr/bin/env python3
"""baresip_ctl.py -- one command to a baresip UA through its ctrl_tcp
module (JSON in netstrings, "LEN:JSON,") for test_sip_baresip.sh.

  baresip_ctl.py PORT COMMAND [PARAMS]

sends {"command": COMMAND, "params": PARAMS, "token": T} to 127.0.0.1:PORT,
waits (up to 10 s of silence) for the response with that token (events
baresip sends meanwhile are skipped) and prints its "data".  Exit status 0
if baresip said ok, 1 if not, 2 if no response came.
"""
import json
import socket
import sys
import time


def netstring(obj):
    data = json.dumps(obj).encode()
    return str(len(data)).encode() + b":" + data + b","


class Reader:
    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def next(self):
        """The next netstring's JSON object, or None at the end."""
        while True:
            colon = self.buf.find(b":")
            if colon > 0:
                n = int(self.buf[:colon])
                if len(self.buf) >= colon + 1 + n + 1:
                    body = self.buf[colon + 1:colon + 1 + n]
                    self.buf = self.buf[colon + 1 + n + 1:]
                    return json.loads(body)
            chunk = self.sock.recv(65536)
            if not chunk:
                return None
            self.buf += chunk


def connect(port):
    for _ in range(100):
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=10)
        except OSError:
            time.sleep(0.1)
    sys.exit("baresip_ctl: cannot connect to 127.0.0.1:%d" % port)


def main():
    port = int(sys.argv[1])
    sock = connect(port)
    token = "t%d" % time.monotonic_ns()
    cmd = {"command": sys.argv[2], "token": token}
    if len(sys.argv) > 3:
        cmd["params"] = sys.argv[3]
    sock.sendall(netstring(cmd))
    rd = Reader(sock)
    try:
        while True:
            msg = rd.next()
            if msg is None:
                return 2
            if msg.get("response") and msg.get("token") == token:
                print(msg.get("data", ""))
                return 0 if msg.get("ok") else 1
    except socket.timeout:
        return 2


if __name__ == "__main__":
    sys.exit(main())
