"""Anti-cheat figures: the evaluation set's detection rate, the false alerts per 100
collector-days on the held-out honest logs (host.anticheat.eval), and the host's added
cost per fix of all fix checks (host.anticheat.checks.run_checks on batches of 500 fixes
of an honest walk, with a full history, as after_ingest runs them; microseconds per fix).
"""

from __future__ import annotations

import random
import time


def _us_per_fix() -> float:
    from host.anticheat.checks import HISTORY_FIXES, FixIn, run_checks

    rng = random.Random(6)
    fixes = [
        FixIn(
            seq=i + 1,
            t_ms=1_764_468_000_000 + i * 1000,
            lat_e7=312_300_000 + i * 11 + round(rng.gauss(0, 15)),
            lon_e7=1_214_700_000 + round(rng.gauss(0, 15)),
            speed_cmps=120,
            sats_seen=10,
            sats_used=8,
            cn0_max=rng.randint(42, 46),
            cn0_mean=rng.randint(31, 35),
        )
        for i in range(HISTORY_FIXES + 500 * 10)
    ]
    t0 = time.perf_counter()
    n = 0
    for start in range(HISTORY_FIXES, len(fixes), 500):
        run_checks(
            fixes[start - HISTORY_FIXES : start],
            fixes[start : start + 500],
            fixes[start].t_ms + 60_000,
        )
        n += len(fixes[start : start + 500])
    return (time.perf_counter() - t0) / n * 1e6


def run() -> dict:
    from host.anticheat.eval.run import evaluate

    result = evaluate(with_honest=True)
    figures = {
        "anticheat_detection_rate": (result["detection_rate"], "fraction of scenarios"),
        "anticheat_us_per_fix": (round(_us_per_fix(), 1), "us/fix"),
    }
    test = result.get("honest", {}).get("test")
    if test:
        figures["anticheat_false_alerts_per_100_days"] = (
            test["false_alerts_per_100_days"],
            "alerts/100 collector-days",
        )
    return figures


if __name__ == "__main__":
    for name, (value, unit) in run().items():
        print(f"{name}: {value} {unit}")
