"""Compile the firmware with mpy-cross into build/mpy/ (what goes onto the badge).

Precompiled bytecode matters on the ESP32: compiling .py on the badge costs heap that a
100 KB budget cannot spare. `main.py` stays source (the port runs it by that name); every
other module becomes a .mpy. Unchanged files are not recompiled.

    python -m host.tools.compile_firmware [--out DIR]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FIRMWARE = REPO / "firmware"
OUT = REPO / "build" / "mpy"
KEEP_SOURCE = {"main.py", "boot.py"}


class CompileError(RuntimeError):
    pass


def mpy_cross() -> str:
    beside = Path(sys.executable).with_name("mpy-cross")
    found = str(beside) if beside.exists() else shutil.which("mpy-cross")
    if not found:
        raise CompileError("mpy-cross not found: run `make setup` (package mpy-cross)")
    return found


def firmware_sources() -> list[Path]:
    return sorted(p for p in FIRMWARE.rglob("*.py") if "__pycache__" not in p.parts)


def compile_firmware(out: Path = OUT) -> Path:
    """Compile into `out`, mirroring firmware/'s layout; returns `out`."""
    exe = mpy_cross()
    for src in firmware_sources():
        rel = src.relative_to(FIRMWARE)
        if rel.name in KEEP_SOURCE:
            dest = out / rel
            if not dest.exists() or dest.stat().st_mtime < src.stat().st_mtime:
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, dest)
            continue
        dest = (out / rel).with_suffix(".mpy")
        if dest.exists() and dest.stat().st_mtime >= src.stat().st_mtime:
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        proc = subprocess.run(
            [exe, "-s", str(rel), "-o", str(dest), str(src)], capture_output=True, text=True
        )
        if proc.returncode != 0:
            raise CompileError(f"mpy-cross failed on {rel}: {proc.stderr.strip()}")
    # A module deleted from firmware/ must not live on in the build.
    wanted = {(out / s.relative_to(FIRMWARE)).with_suffix(".mpy") for s in firmware_sources()}
    for stale in out.rglob("*.mpy"):
        if stale not in wanted:
            stale.unlink()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    try:
        out = compile_firmware(args.out)
    except CompileError as e:
        print(e, file=sys.stderr)
        return 1
    print(f"compiled {len(firmware_sources())} firmware files into {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
