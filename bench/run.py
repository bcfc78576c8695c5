"""`make bench`: runs each area's benchmark, prints a table, writes bench/results.json.

`python -m bench.run nmea demo` runs only those areas and keeps the others' last figures.

Each bench/<area>.py exposes run() -> {figure name: (value, unit)}. Figures named in the
issues keep those names (nmea_sentences_per_s_mpy, sign_batch_ms_mpy, peak_heap_bytes_demo,
ingest_records_per_s, ...).
"""

from __future__ import annotations

import importlib
import json
import platform
import sys
import time
from pathlib import Path

AREAS = ["nmea", "sign", "ingest", "demo", "analytics", "anticheat", "reports", "modem", "storage"]
OUT = Path(__file__).resolve().parent / "results.json"


def main(argv: list[str]) -> int:
    areas = argv or AREAS
    results: dict[str, dict] = {}
    failures = []
    for area in areas:
        print(f"== bench {area}", flush=True)
        t0 = time.monotonic()
        try:
            figures = importlib.import_module(f"bench.{area}").run()
        except Exception as e:  # a broken benchmark is reported, the others still run
            failures.append(area)
            print(f"   FAILED: {e!r}", flush=True)
            continue
        for name, (value, unit) in figures.items():
            results[name] = {"value": value, "unit": unit, "area": area}
        print(f"   done in {time.monotonic() - t0:.1f} s", flush=True)
    width = max((len(n) for n in results), default=10)
    print()
    print(f"{'figure':<{width}}  {'value':>14}  unit")
    print(f"{'-' * width}  {'-' * 14}  ----")
    for name, r in results.items():
        v = r["value"]
        shown = f"{v:,.2f}" if isinstance(v, float) else f"{v:,}"
        print(f"{name:<{width}}  {shown:>14}  {r['unit']}")
    context = {"machine": platform.platform(), "python": sys.version.split()[0]}
    figures = {name: {"value": r["value"], "unit": r["unit"]} for name, r in results.items()}
    if argv and OUT.exists():  # a subset of areas: keep the other areas' last figures
        figures = {**json.loads(OUT.read_text()), **figures}
    OUT.write_text(json.dumps({**figures, "_context": context}, indent=1) + "\n")
    print(f"\nwrote {OUT}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
