"""Compile the firmware with mpy-cross into build/mpy/ and pack it as a ROMFS image.

Precompiled bytecode matters on the ESP32: compiling .py on the badge costs heap that a
100 KB budget cannot spare. `main.py` stays source (the port runs it by that name); every
other module becomes a .mpy. Unchanged files are not recompiled.

The badge runs its code from a ROMFS partition in flash (MicroPython's VfsRom, deployed by
technicians with `mpremote romfs deploy build/mpy`): bytecode executes in place and only
the objects a module creates at import time take heap. `build/firmware.romfs` is that
image; the simulated badge and the firmware tests mount it the same way on the unix port
(host/sim/romboot.py), so the 100 KB heap budget is measured as the badge spends it.

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


ROMFS = REPO / "build" / "firmware.romfs"


def build_romfs(mpy_dir: Path = OUT, image: Path = ROMFS) -> Path:
    """Pack the compiled firmware into a ROMFS image (mpremote's own builder)."""
    from mpremote.romfs import make_romfs

    newest = max(p.stat().st_mtime for p in mpy_dir.rglob("*") if p.is_file())
    if image.exists() and image.stat().st_mtime >= newest:
        return image
    import contextlib

    with contextlib.redirect_stdout(sys.stderr):  # mpremote prints its tree: keep stdout clean
        data = make_romfs(str(mpy_dir), mpy_cross=False)
    tmp = image.with_suffix(".tmp")
    tmp.write_bytes(data)
    tmp.replace(image)
    return image


def romfs_heap_bytes(image: Path = ROMFS) -> int:
    """Heap the image takes when the unix port loads it (one block, 16-byte granules)."""
    return (image.stat().st_size + 15) // 16 * 16


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    try:
        out = compile_firmware(args.out)
    except CompileError as e:
        print(e, file=sys.stderr)
        return 1
    image = build_romfs(out, out.parent / "firmware.romfs")
    print(f"compiled {len(firmware_sources())} firmware files into {out}; ROMFS image {image}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
