"""mpy-cross compiles every firmware file (main.py included), as `make mpy` and flashing need."""

import subprocess

from host.tools.compile_firmware import FIRMWARE, firmware_sources, mpy_cross


def test_every_firmware_file_compiles(tmp_path):
    sources = firmware_sources()
    assert len(sources) >= 20
    failures = []
    for src in sources:
        out = tmp_path / (src.relative_to(FIRMWARE).as_posix().replace("/", "_") + ".mpy")
        proc = subprocess.run(
            [mpy_cross(), "-o", str(out), str(src)], capture_output=True, text=True
        )
        if proc.returncode != 0 or not out.exists():
            failures.append(f"{src.relative_to(FIRMWARE)}: {proc.stderr.strip()}")
    assert failures == []


def test_only_the_board_layer_touches_hardware():
    """firmware/board/ is the only place that imports machine, network or esp32."""
    offenders = []
    for src in firmware_sources():
        if src.relative_to(FIRMWARE).parts[0] == "board":
            continue
        for line in src.read_text().splitlines():
            words = line.strip().replace(",", " ").split()
            if words[:1] in (["import"], ["from"]) and {"machine", "network", "esp32"} & set(
                words[1:2]
            ):
                offenders.append(f"{src.relative_to(FIRMWARE)}: {line.strip()}")
    assert offenders == []
