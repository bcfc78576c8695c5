"""Benchmark of firmware/sign under the real micropython unix port with the ESP32 heap.

run() -> {figure: (value, unit)}:
  sign_batch_ms_mpy       median time of one Ed25519 signature over a 32-byte batch digest
                          (the fixed-base table is built before timing)
  sign_table_bytes_mpy    heap taken by the fixed-base table (gc.mem_free before/after)
  sign_table_build_ms_mpy one-time cost of building that table
  verify_ms_mpy           median time of one verify() (host command check)
  sha512_kib_per_s_mpy    pure-Python SHA-512 throughput, 8 KiB of random bytes in 1 KiB updates
"""

import json
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEAP = "100K"
RUNS = 20

_SCRIPT = """
import sys, gc, json, time, os
sys.path.insert(0, "firmware")
from sign import ed25519
from sign.sha512 import SHA512, sha512
RUNS = %d
def median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2]
out = {}
gc.collect()
free0 = gc.mem_free()
t = time.ticks_us()
ed25519._base_table()
out["build_us"] = time.ticks_diff(time.ticks_us(), t)
gc.collect()
out["table_bytes"] = free0 - gc.mem_free()
key = ed25519.SigningKey(os.urandom(32))
digest = os.urandom(32)
times = []
for _ in range(RUNS):
    t = time.ticks_us()
    sig = key.sign(digest)
    times.append(time.ticks_diff(time.ticks_us(), t))
out["sign_us"] = median(times)
times = []
for _ in range(5):
    t = time.ticks_us()
    ok = ed25519.verify(key.public, digest, sig)
    times.append(time.ticks_diff(time.ticks_us(), t))
assert ok
out["verify_us"] = median(times)
data = os.urandom(1024)  # 8 KiB hashed as 8 updates: no 8 KiB block on a 100K heap
sha512(b"")  # round constants built outside the timing
t = time.ticks_us()
h = SHA512()
for _ in range(8):
    h.update(data)
h.digest()
out["sha512_us_8k"] = time.ticks_diff(time.ticks_us(), t)
print("RESULT " + json.dumps(out))
"""


def micropython():
    exe = os.path.join(ROOT, ".venv", "bin", "micropython")
    return exe if os.path.exists(exe) else (shutil.which("micropython") or exe)


def run():
    proc = subprocess.run(
        [micropython(), "-X", "heapsize=" + HEAP, "-c", _SCRIPT % RUNS],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    line = [x for x in proc.stdout.splitlines() if x.startswith("RESULT ")]
    if proc.returncode or not line:
        raise RuntimeError("micropython bench failed:\n" + proc.stdout + proc.stderr)
    r = json.loads(line[-1][len("RESULT ") :])
    return {
        "sign_batch_ms_mpy": (round(r["sign_us"] / 1000, 2), "ms"),
        "sign_table_bytes_mpy": (r["table_bytes"], "bytes"),
        "sign_table_build_ms_mpy": (round(r["build_us"] / 1000, 1), "ms"),
        "verify_ms_mpy": (round(r["verify_us"] / 1000, 2), "ms"),
        "sha512_kib_per_s_mpy": (round(8 * 1e6 / r["sha512_us_8k"], 1), "KiB/s"),
    }


if __name__ == "__main__":
    for name, (value, unit) in run().items():
        print(f"{name:26} {value:>10} {unit}")
    sys.exit(0)
