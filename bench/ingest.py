"""Ingest throughput: a real server on loopback (werkzeug, threaded), a SQLite WAL file
database migrated by Alembic, one registered badge, N batches of 60 records posted one
after the other over real HTTP with a keep-alive requests.Session.

Figures: ingest_records_per_s (records stored per wall-clock second, whole loop) and
ingest_batch_p50_ms (median request round trip). Set VISITPROOF_BENCH_DATABASE_URL to
measure another database (e.g. a scratch PostgreSQL database).
"""

from __future__ import annotations

import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # hostkit: the tests' software badge and live server

BATCHES = int(os.environ.get("VISITPROOF_BENCH_BATCHES", "200"))
RECORDS_PER_BATCH = 60


def run() -> dict:
    import requests
    from hostkit import LiveServer, SoftBadge, post_batch

    from host.app import create_app
    from host.db import get_db
    from host.db.devices import register_device

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    logging.getLogger("visitproof").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="vp-bench-") as tmp:
        url = os.environ.get("VISITPROOF_BENCH_DATABASE_URL") or f"sqlite:///{tmp}/bench.db"
        app = create_app(
            {"DATABASE_URL": url, "AUTO_MIGRATE": True, "SECRET_KEY": "bench", "INSTANCE_PATH": tmp}
        )
        badge = SoftBadge()
        with get_db(app).sessions() as session:
            register_device(session, badge.public_key, "bench")
        # Build and sign every body first: the figure is the host's work, not the client's.
        bodies = [badge.batch(badge.records(RECORDS_PER_BATCH)) for _ in range(BATCHES)]
        latencies_ms = []
        with LiveServer(app) as server, requests.Session() as http:
            post_batch(server.url + "/warm-up", b"", http=http)  # open the connection (404)
            t0 = time.perf_counter()
            for body in bodies:
                t = time.perf_counter()
                r = post_batch(server.url, body, http=http)
                latencies_ms.append((time.perf_counter() - t) * 1000)
                if r.status_code != 200 or r.json()["stored"] != RECORDS_PER_BATCH:
                    raise RuntimeError(f"ingest failed: {r.status_code} {r.text}")
            elapsed = time.perf_counter() - t0
        get_db(app).engine.dispose()
    return {
        "ingest_records_per_s": (round(BATCHES * RECORDS_PER_BATCH / elapsed, 1), "records/s"),
        "ingest_batch_p50_ms": (round(statistics.median(latencies_ms), 2), "ms"),
    }


if __name__ == "__main__":
    for name, (value, unit) in run().items():
        print(f"{name}: {value} {unit}")
