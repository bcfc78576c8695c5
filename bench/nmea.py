"""Benchmark of firmware/gnss (NMEA reader) under the real micropython unix port, 100K heap,
importing the firmware as the badge does: compiled by mpy-cross into build/mpy.

The log is a real four-constellation receiver: u-blox NEO-M9N (GN/GP/GL/GA/GB: RMC VTG GGA
GSA GSV GLL GST ZDA GBS, 1342 lines, 61 epochs).

run() -> {figure: (value, unit)}:
  nmea_sentences_per_s_mpy          checksum-valid sentences decoded (or counted as unknown)
                                    per second, streaming the log from the file in 1 KiB
                                    reads, repeated for at least 1.5 s
  nmea_bytes_per_s_mpy              the same run in input bytes per second
  nmea_alloc_bytes_per_sentence_mpy heap allocated per sentence over one pass of the log, with
                                    the GC disabled (gc.mem_alloc before/after; the 1 KiB
                                    reads and memoryview slices are included)
  nmea_alloc_bytes_per_sentence     heap allocated per sentence over 20 passes of the log
                                    (26,840 sentences) with the GC running: the growth of
                                    micropython.mem_total() (every allocation ever made, freed
                                    or not), minus the same reading loop without the parser
  nmea_alloc_bytes_per_sentence_<t> the same for a stream of only the log's <t> sentences
                                    (rmc_gga: its first 120 RMC and GGA, in order; rmc, gga,
                                    gsa, gsv, gst, vtg: the first 120 of each), held in memory
                                    and fed whole 200 times: no reading enters the figure
"""

import json
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEAP = "100K"
LOG = "../shared/data/nmea/gpsd/ublox-neo-m9n-nmea.log"
LONG_PASSES = 20
TYPE_BLOCKS = 40
TYPE_REPS_PER_BLOCK = 5  # 600 sentences per block: the heap holds their garbage
TYPE_LINES = 120  # lines of one type kept in memory (~10 KB of the 100K heap)
TYPES = (
    ("rmc_gga", (b"RMC", b"GGA")),
    ("rmc", (b"RMC",)),
    ("gga", (b"GGA",)),
    ("gsa", (b"GSA",)),
    ("gsv", (b"GSV",)),
    ("gst", (b"GST",)),
    ("vtg", (b"VTG",)),
)

_SCRIPT = """
import sys, gc, json, time, micropython
sys.path.insert(0, %r)
from gnss.nmea import NmeaReader
LOG = %r
LONG_PASSES = %d
TYPE_BLOCKS = %d
TYPE_REPS_PER_BLOCK = %d
TYPE_LINES = %d
TYPES = %r
buf = bytearray(1024)
mv = memoryview(buf)
store = bytearray(TYPE_LINES * 84)  # one sentence type's lines, allocated while the heap is empty
smv = memoryview(store)
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
class NoParser:
    def feed(self, data):
        pass
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

# Heap left allocated by feed() (gc.mem_alloc growth with the GC off), summed over blocks,
# collecting between them so that a long run fits the heap; and the growth of
# micropython.mem_total(), which also counts blocks freed at once (bytecode frames too big
# for the C stack), over the same calls.
def garbage(feed, blocks):
    left = 0
    t0 = micropython.mem_total()
    for i in range(blocks):
        gc.collect()
        gc.disable()
        a = gc.mem_alloc()
        feed()
        left += gc.mem_alloc() - a
        gc.enable()
    return left, micropython.mem_total() - t0

r = NmeaReader(on_fix)
one_pass(r)
noop = NoParser()
s0 = handled(r)
left, total = garbage(lambda: one_pass(r), LONG_PASSES)
n = handled(r) - s0
left0, total0 = garbage(lambda: one_pass(noop), LONG_PASSES)
out["long_sentences"] = n
out["alloc_long"] = (left - left0) / n
out["transient_long"] = (total - total0) / n

def blob(kinds):
    n = lines = 0
    with open(LOG, "rb") as f:
        for line in f:
            if line[:1] == b"$" and line[3:6] in kinds:
                store[n : n + len(line)] = line
                n += len(line)
                lines += 1
                if lines >= TYPE_LINES:
                    break
    return smv[:n], lines

per_type = {}
for name, kinds in TYPES:
    data, lines = blob(kinds)
    r = NmeaReader(on_fix)
    r.feed(data)  # warm up
    h0 = handled(r)
    def feed_some():
        for i in range(TYPE_REPS_PER_BLOCK):
            r.feed(data)
    def loop_only():
        for i in range(TYPE_REPS_PER_BLOCK):
            pass
    left, total = garbage(feed_some, TYPE_BLOCKS)
    left0, total0 = garbage(loop_only, TYPE_BLOCKS)
    got = handled(r) - h0
    per_type[name] = {"lines": lines, "handled": got,
                      "alloc": (left - left0) / got if got else None,
                      "transient": (total - total0) / got if got else None}
    r = None
    gc.collect()
out["per_type"] = per_type

print(json.dumps(out))
"""


def _micropython():
    exe = shutil.which("micropython") or os.path.join(ROOT, ".venv", "bin", "micropython")
    if not os.path.exists(exe):
        raise RuntimeError("micropython binary missing: run `make setup`")
    return exe


def run():
    from host.tools.compile_firmware import compile_firmware

    if not os.path.exists(os.path.join(ROOT, LOG)):
        raise RuntimeError("shared recording missing: " + LOG)
    firmware = os.path.relpath(compile_firmware(), ROOT)
    script = _SCRIPT % (firmware, LOG, LONG_PASSES, TYPE_BLOCKS, TYPE_REPS_PER_BLOCK, TYPE_LINES,
                         TYPES)
    proc = subprocess.run(
        [_micropython(), "-X", "heapsize=" + HEAP, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(proc.stdout + proc.stderr)
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    size = os.path.getsize(os.path.join(ROOT, LOG))
    secs = out["ms"] / 1000
    figures = {
        "nmea_sentences_per_s_mpy": (round(out["sentences"] / secs), "sentences/s"),
        "nmea_bytes_per_s_mpy": (round(size * out["passes"] / secs), "bytes/s"),
        "nmea_alloc_bytes_per_sentence_mpy": (round(out["alloc_per_sentence"], 1), "bytes"),
        "nmea_alloc_bytes_per_sentence": (round(out["alloc_long"], 2), "bytes"),
        "nmea_transient_bytes_per_sentence": (round(out["transient_long"]), "bytes"),
    }
    for name, t in out["per_type"].items():
        if t["alloc"] is not None:
            figures[f"nmea_alloc_bytes_per_sentence_{name}"] = (round(t["alloc"], 2), "bytes")
    rg = out["per_type"]["rmc_gga"]
    if rg["transient"] is not None:
        figures["nmea_transient_bytes_per_sentence_rmc_gga"] = (round(rg["transient"]), "bytes")
    return figures


if __name__ == "__main__":
    print(json.dumps(run(), indent=1))
    sys.exit(0)
