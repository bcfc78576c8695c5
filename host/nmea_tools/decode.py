"""`visitproof nmea decode FILE`: the badge's own parser, under micropython, on a log.

Runs host/nmea_tools/decode_mpy.py with the real `micropython` binary from the badge's ROMFS
image (host/sim/romboot.py, the 100 KB heap budget plus the image's block) and yields its
JSON lines: TPV-like objects per fix, SKY-like objects per epoch, a closing SUMMARY with
the reader's counters. What the badge would make of a receiver, without a badge.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

from host.sim.badge_process import HEAP, ROMBOOT, heap_bytes, micropython_binary
from host.tools.compile_firmware import build_romfs, compile_firmware, romfs_heap_bytes

SCRIPT = Path(__file__).with_name("decode_mpy.py")


class DecodeError(RuntimeError):
    pass


def decode_lines(path: Path, time_floor: int | None = None) -> Iterator[str]:
    if not path.is_file():
        raise DecodeError(f"{path}: not a regular file")
    image = build_romfs(compile_firmware())
    cmd = [micropython_binary(), "-X", f"heapsize={heap_bytes(HEAP) + romfs_heap_bytes(image)}",
           str(ROMBOOT), str(image), str(SCRIPT), str(path.resolve())]
    if time_floor is not None:
        cmd.append(str(time_floor))
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={"MICROPYPATH": ""})
    assert proc.stdout is not None and proc.stderr is not None
    yield from (line.rstrip("\n") for line in proc.stdout)
    err = proc.stderr.read()
    if proc.wait() != 0:
        raise DecodeError(f"the firmware parser stopped: {err.strip()[-500:]}")
