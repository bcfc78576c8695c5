"""Benchmark of firmware/gnss (NMEA reader) under the real micropython unix port, 100K heap.

run() -> {figure: (value, unit)}:
  nmea_sentences_per_s_mpy          checksum-valid sentences decoded (or counted as unknown)
                                    per second, streaming a real u-blox NEO-M9N log (GN/GP/GL/
                                    GA/GB: RMC VTG GGA GSA GSV GLL GST ZDA GBS) from the file in
                                    1 KiB reads, repeated for at least 1.5 s
  nmea_bytes_per_s_mpy              the same run in input bytes per second
  nmea_alloc_bytes_per_sentence_mpy heap allocated per sentence over one pass of the log, with
                                    the GC disabled (gc.mem_alloc before/after; the 1 KiB
                                    reads and memoryview slices are included)
"""

import json
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEAP = "100K"
LOG = "../shared/data/nmea/gpsd/ublox-neo-m9n-nmea.log"

_SCRIPT = """
import sys, gc, json, time
sys.path.insert(0, "firmware")
from gnss.nmea import NmeaReader
LOG = %r
buf = bytearray(1024)
mv = memoryview(buf)
fixes = [0]
def on_fix(f):
    fixes[0] += 1
def one_pass(r):
    with open(LOG, "rb") as f:
        while True:
            n = f.readinto(buf)
            if not n:
                break
            r.feed(mv[:n])
def handled(r):
    return r.sentences + r.unknown + r.bad_fields
out = {}
r = NmeaReader(on_fix)
one_pass(r)  # warm up (and the file cache)
gc.collect()
gc.disable()
a0 = gc.mem_alloc()
s0 = handled(r)
one_pass(r)
out["alloc_per_sentence"] = (gc.mem_alloc() - a0) / (handled(r) - s0)
gc.enable()
gc.collect()
r = NmeaReader(on_fix)
passes = 0
t = time.ticks_ms()
while True:
    one_pass(r)
    passes += 1
    dt = time.ticks_diff(time.ticks_ms(), t)
    if dt >= 1500:
        break
r.flush()
out["sentences"] = handled(r)
out["passes"] = passes
out["ms"] = dt
out["fixes"] = r.fixes
out["bad"] = r.crc_fails + r.no_checksum + r.too_long + r.non_printable + r.truncated
print(json.dumps(out))
"""


def _micropython():
    exe = shutil.which("micropython") or os.path.join(ROOT, ".venv", "bin", "micropython")
    if not os.path.exists(exe):
        raise RuntimeError("micropython binary missing: run `make setup`")
    return exe


def run():
    if not os.path.exists(os.path.join(ROOT, LOG)):
        raise RuntimeError("shared recording missing: " + LOG)
    proc = subprocess.run(
        [_micropython(), "-X", "heapsize=" + HEAP, "-c", _SCRIPT % LOG],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(proc.stdout + proc.stderr)
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    size = os.path.getsize(os.path.join(ROOT, LOG))
    secs = out["ms"] / 1000
    return {
        "nmea_sentences_per_s_mpy": (round(out["sentences"] / secs), "sentences/s"),
        "nmea_bytes_per_s_mpy": (round(size * out["passes"] / secs), "bytes/s"),
        "nmea_alloc_bytes_per_sentence_mpy": (round(out["alloc_per_sentence"], 1), "bytes"),
    }


if __name__ == "__main__":
    print(run())
    sys.exit(0)
