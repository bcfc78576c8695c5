"""Benchmark of firmware/storage (the record log) under the real micropython unix port.

run() -> {figure: (value, unit)}:
  flash_bytes_per_fix       bytes programmed on the emulated NOR flash per fix, everything
                            included: frame, littlefs metadata and CTZ pointers, the tail-
                            block copies after each sync, the ack file rename on each ack, segment
                            deletes. A working day at the default rate: 28800 fixes (8 h at
                            1/s), an upload of 60 records acked each minute (the uploader's
                            batch), the log's sync every 16 records. littlefs on a 2 MiB
                            partition (512 blocks of 4 KB, the ESP32 4 MB default `vfs`).
  flash_erases_per_fix      block erases per fix in the same day
  flash_years_to_100k_cycles  the busiest block's erase count over that day, extrapolated:
                            years = 100000 / (busiest erases per day * 250 working days)
  flash_years_to_100k_cycles_levelled  the same with the day's erases spread evenly
                            over the 512 blocks (littlefs relocates a metadata pair after
                            block_cycles erases, so the busiest-block figure is the floor)
  append_ms_mpy             mean time of append() per record, its share of syncs included,
                            on the unix port's own filesystem, -X heapsize=100K
  recovery_ms_full_log      RecordLog() on a full log (16320 records, 192 segments): the
                            boot-time scan that checks every frame's CRC, -X heapsize=100K
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DAY_FIXES = 28800
WORKDAYS_PER_YEAR = 250
CYCLES = 100000
BLOCKS = 512

_DAY = """
import sys, vfs, struct, json
from storage.norflash import NorFlash
from storage.recordlog import RecordLog
dev = NorFlash(512)
vfs.VfsLfs2.mkfs(dev)
vfs.mount(vfs.VfsLfs2(dev), "/f")
log = RecordLog("/f/log")
p0, e0 = dev.programmed, sum(dev.erases)
base = list(dev.erases)
rec = bytearray(72)
buf = memoryview(bytearray(72 * 60))
for i in range(%d):
    seq = log.last_seq + 1
    struct.pack_into("<BBHIIHii", rec, 0, 1, 1, 37, seq, 1700000000 + i, 0, 311234567 + i,
                     1214567890)
    rec[40:72] = log.last_hash
    log.append(rec)
    if seq %% 60 == 0:
        n = log.read_into(buf, 60)
        log.ack(log.first_pending_seq() + n - 1)
log.sync()
per_block = [dev.erases[b] - base[b] for b in range(dev.blocks)]
print("RESULT " + json.dumps({"programmed": dev.programmed - p0, "erases": sum(dev.erases) - e0,
      "busiest": max(per_block)}))
"""

_SPEED = """
import time, struct, json, os
from storage.recordlog import RecordLog, MAX_RECORDS
d = "%s"
log = RecordLog(d, max_records=MAX_RECORDS + 1)
rec = bytearray(72)
n = MAX_RECORDS
t = time.ticks_us()
for i in range(n):
    seq = log.last_seq + 1
    struct.pack_into("<BBHIIHii", rec, 0, 1, 2, 37, seq, 1700000000 + i, 0, 311234567, 1214567890)
    rec[40:72] = log.last_hash
    log.append(rec)
log.sync()
append_us = time.ticks_diff(time.ticks_us(), t) / n
log.close()
log = None
import gc
gc.collect()
t = time.ticks_us()
log = RecordLog(d, max_records=MAX_RECORDS + 1)
rec_us = time.ticks_diff(time.ticks_us(), t)
assert log.count() == n
print("RESULT " + json.dumps({"append_us": append_us, "recovery_us": rec_us, "n": n}))
"""


def micropython():
    exe = os.path.join(ROOT, ".venv", "bin", "micropython")
    return exe if os.path.exists(exe) else (shutil.which("micropython") or exe)


def _run(script, heap):
    from host.tools.compile_firmware import compile_firmware

    proc = subprocess.run(
        [micropython(), "-X", "heapsize=" + heap, "-c", script],
        check=False, cwd=ROOT, capture_output=True, text=True, timeout=1200,
        env=dict(os.environ, MICROPYPATH=str(compile_firmware())),
    )
    line = [x for x in proc.stdout.splitlines() if x.startswith("RESULT ")]
    if proc.returncode or not line:
        raise RuntimeError("micropython bench failed:\n" + proc.stdout + proc.stderr)
    return json.loads(line[-1][len("RESULT "):])


def run():
    day = _run(_DAY % DAY_FIXES, "8M")
    with tempfile.TemporaryDirectory(prefix="vp_bench_log_") as d:
        # check-in records (kind 2): never thinned, so the log fills to its capacity
        speed = _run(_SPEED % d, "100K")
    years = CYCLES / (day["busiest"] * WORKDAYS_PER_YEAR)
    return {
        "flash_bytes_per_fix": (round(day["programmed"] / DAY_FIXES, 1), "bytes"),
        "flash_erases_per_fix": (round(day["erases"] / DAY_FIXES, 4), "erases"),
        "flash_busiest_block_erases_per_day": (day["busiest"], "erases"),
        "flash_years_to_100k_cycles": (round(years, 1), "years"),
        # every block at the day's mean erase rate: what littlefs's wear levelling tends to
        "flash_years_to_100k_cycles_levelled": (
            round(CYCLES / (day["erases"] / BLOCKS * WORKDAYS_PER_YEAR), 1), "years"),
        "append_ms_mpy": (round(speed["append_us"] / 1000, 3), "ms"),
        "recovery_ms_full_log": (round(speed["recovery_us"] / 1000, 1), "ms"),
    }


if __name__ == "__main__":
    for name, (value, unit) in run().items():
        print(f"{name:36} {value:>10} {unit}")
    sys.exit(0)
