#!/usr/bin/env python3
"""wav_tone.py -- is a tone in a WAV recording (16-bit PCM, mono or the
first channel), for the baresip test: baresip's sndfile module records what
it decoded from the gateway.  Written apart from tgsim's detector, the same
rule: each 20 ms frame is scored by its Goertzel power at FREQ against the
frame's whole energy (a pure tone scores 1); a frame over 0.6 and louder
than -50 dBFS carries the tone.

    wav_tone.py FILE FREQ [FROM_SECONDS]

Reads the file as it is on disk (a recording still being written has a
header whose sizes are not final: the samples after the data chunk's
header are taken, whatever it says), from FROM_SECONDS on.  Prints

    seconds=S tone_seconds=T longest=L dbfs=D

S: audio read, T: of it in frames carrying the tone, L: the longest run of
such frames in a row (seconds), D: the level of those frames (dBFS, -99
when none).
"""
import math
import struct
import sys


def samples(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise SystemExit("wav_tone: %s is not a WAV file" % path)
    pos, rate, channels, bits = 12, 8000, 1, 16
    while pos + 8 <= len(data):
        cid, size = data[pos:pos + 4], struct.unpack("<I", data[pos + 4:pos + 8])[0]
        if cid == b"fmt ":
            fmt, channels, rate = struct.unpack("<HHI", data[pos + 8:pos + 16])
            bits = struct.unpack("<H", data[pos + 22:pos + 24])[0]
            if fmt != 1 or bits != 16:
                raise SystemExit("wav_tone: %s is not 16-bit PCM" % path)
        if cid == b"data":
            body = data[pos + 8:]
            n = len(body) // (2 * channels)
            pcm = struct.unpack("<%dh" % (n * channels), body[:n * 2 * channels])
            return rate, pcm[::channels]
        pos += 8 + size + (size & 1)
    return rate, ()


def main():
    path, freq = sys.argv[1], float(sys.argv[2])
    start = float(sys.argv[3]) if len(sys.argv) > 3 else 0.0
    rate, pcm = samples(path)
    pcm = pcm[int(start * rate):]
    n = rate // 50
    coeff = 2 * math.cos(2 * math.pi * freq / rate)
    frames = len(pcm) // n
    tone = run = longest = 0
    level = []
    for i in range(frames):
        x = pcm[i * n:(i + 1) * n]
        s1 = s2 = 0.0
        for v in x:
            s1, s2 = v + coeff * s1 - s2, s1
        power = s1 * s1 + s2 * s2 - coeff * s1 * s2
        energy = sum(v * v for v in x)
        # a pure tone's Goertzel power is energy * N / 2
        score = power / (energy * n / 2) if energy else 0.0
        dbfs = 10 * math.log10(energy / n / (32768.0 ** 2)) if energy else -99.0
        if score > 0.6 and dbfs > -50:
            tone += 1
            run += 1
            longest = max(longest, run)
            level.append(dbfs)
        else:
            run = 0
    print("seconds=%.2f tone_seconds=%.2f longest=%.2f dbfs=%.1f" %
          (frames / 50.0, tone / 50.0, longest / 50.0,
           sum(level) / len(level) if level else -99.0))


if __name__ == "__main__":
    main()
