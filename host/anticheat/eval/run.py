"""Run the evaluation set: every cheating scenario through the real HTTP API of a live
server on a fresh SQLite database, then the honest real logs (the negative class).

Detection table: per scenario the reason codes raised on its badge(s), whether every
expected code was raised, and how many of the check-ins it made were refused (a check-in
that a refused upload never stored cannot count either: it is counted as refused).
False alarms: every alert raised while the honest logs upload, per 100 collector-days,
on the tuning half and on the held-out half (host.anticheat.eval.honest.split).
"""

from __future__ import annotations

import logging
import struct
import sys
import tempfile
import time
from pathlib import Path

from host.anticheat.eval import honest
from host.anticheat.eval.scenarios import DAY_START_S, SCENARIOS, Scenario

ROOT = Path(__file__).resolve().parents[3]
_KIND_CHECKIN = 2


def _hostkit():
    tests = str(ROOT / "tests")
    if tests not in sys.path:
        sys.path.insert(0, tests)  # the test suite's software badge and live server
    import hostkit

    return hostkit


def _app(tmp: str):
    from host.app import create_app

    return create_app(
        {
            "DATABASE_URL": f"sqlite:///{tmp}/eval.db",
            "AUTO_MIGRATE": True,
            "SECRET_KEY": "eval",
            "INSTANCE_PATH": tmp,
        }
    )


def _checkins_sent(uploads) -> int:
    seen = set()
    for up in uploads:
        raws = up.records or _records_of(up.body)
        seen.update(r for r in raws if r[1] == _KIND_CHECKIN)
    return len(seen)


def _records_of(body: bytes) -> list[bytes]:
    n = struct.unpack_from("<H", body, 6)[0]
    return [body[24 + 72 * i : 24 + 72 * (i + 1)] for i in range(n)]


def run_scenario(server, hk, number: int, sc: Scenario) -> dict:
    from sqlalchemy import select

    from host.db.devices import register_device
    from host.db.models import Alert, Checkin, Device
    from host.reports import dayreports
    from host.reports.registry import add_case, add_collector

    created = []

    def soft(key=None):
        b = hk.SoftBadge() if key is None else hk.SoftBadge(key=key)
        created.append(b)
        return b

    uploads = sc.build(soft, number)
    with server.session() as s:
        for b in created:
            register_device(s, b.public_key, sc.name)
        add_case(s, 1000 + number, sc.case_lat, sc.case_lon, name=sc.name)
        add_collector(s, sc.name, created[0].device_id)
    statuses = []
    for up in uploads:
        bodies = (
            [up.body]
            if up.body
            else [up.badge.batch(up.records[i : i + 500]) for i in range(0, len(up.records), 500)]
        )
        statuses += [hk.post_batch(server.url, body).status_code for body in bodies]
    with server.session() as s:
        dayreports.refresh_stale(s)
        pks = list(
            s.scalars(select(Device.id).where(Device.device_id.in_([b.device_id for b in created])))
        )
        found = sorted(set(s.scalars(select(Alert.code).where(Alert.device_pk.in_(pks)))))
        rows = list(s.scalars(select(Checkin).where(Checkin.device_pk.in_(pks))))
    sent = _checkins_sent(uploads) - sc.checkins_counted_before
    counted = sum(1 for r in rows if r.accepted) - sc.checkins_counted_before
    refused = sent - max(0, counted)
    expected = set(sc.expected)
    if expected:
        detected = expected <= set(found) and refused == sent
    else:
        detected = bool(found) or refused > 0  # an honest control must raise nothing
    return {
        "scenario": sc.name,
        "expected": sorted(expected),
        "detected": detected,
        "reason_codes": found,
        "checkins_made": sent,
        "checkins_refused": refused,
        "http_status": statuses,
        "refusal_reasons": sorted(
            {x for r in rows if not r.accepted for x in __import__("json").loads(r.reasons_json)}
        ),
    }


def _honest_records(badge, fixes) -> list[bytes]:
    out = []
    for f in fixes:
        flags = 1 | (1 << 2) | ((1 << 5) if f.valid else 0)
        out += badge.records(
            1,
            flags=flags,
            time_s=f.t_ms // 1000,
            time_ms=f.t_ms % 1000,
            lat_e7=f.lat_e7,
            lon_e7=f.lon_e7,
            speed_cmps=65535 if f.speed_cmps is None else min(f.speed_cmps, 65534),
            sats_used=min(f.sats_used, 255),
            sats_seen=min(f.sats_seen, 255),
            cn0_max=f.cn0_max,
            cn0_mean=f.cn0_mean,
            alt_cm=-2147483648,
            course_cdeg=65535,
        )
    return out


def run_honest(server, hk, days: list) -> dict:
    from sqlalchemy import func, select

    from host.db.devices import register_device
    from host.db.models import Alert, Device

    false_alerts: dict[str, list[str]] = {}
    fixes = 0
    for day in days:
        b = hk.SoftBadge()
        with server.session() as s:
            register_device(s, b.public_key, day.name)
        recs = _honest_records(b, day.fixes)
        fixes += len(recs)
        for i in range(0, len(recs), 500):
            r = hk.post_batch(server.url, b.batch(recs[i : i + 500]))
            if r.status_code != 200:
                raise RuntimeError(f"{day.name}: upload refused {r.status_code} {r.text}")
        with server.session() as s:
            pk = s.scalar(select(Device.id).where(Device.device_id == b.device_id))
            codes = list(s.scalars(select(Alert.code).where(Alert.device_pk == pk)))
            _ = s.scalar(select(func.count(Alert.id)))
        if codes:
            false_alerts[day.name] = codes
    n_alerts = sum(len(c) for c in false_alerts.values())
    return {
        "collector_days": len(days),
        "fixes": fixes,
        "false_alerts": n_alerts,
        "false_alerts_per_100_days": round(100 * n_alerts / len(days), 2) if days else None,
        "days_with_alerts": false_alerts,
    }


def evaluate(with_honest: bool = True) -> dict:
    hk = _hostkit()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    logging.getLogger("visitproof").setLevel(logging.ERROR)
    from host.db import get_db

    with tempfile.TemporaryDirectory(prefix="vp-anticheat-eval-") as tmp:
        app = _app(tmp)
        t0 = time.perf_counter()
        with hk.LiveServer(app) as server:
            table = [run_scenario(server, hk, n, sc) for n, sc in enumerate(SCENARIOS, 1)]
            result: dict = {"scenarios": table}
            cheats = [r for r in table if r["expected"]]
            result["detection_rate"] = round(sum(r["detected"] for r in cheats) / len(cheats), 3)
            result["controls_clean"] = all(not r["detected"] for r in table if not r["expected"])
            if with_honest:
                available = bool(honest.sources())
                if available:
                    tune, test = honest.split(honest.honest_days())
                    result["honest"] = {
                        "data": str(honest.DATA),
                        "tune": run_honest(server, hk, tune),
                        "test": run_honest(server, hk, test),
                    }
                else:
                    result["honest"] = {"data": str(honest.DATA), "missing": True}
        result["seconds"] = round(time.perf_counter() - t0, 1)
        get_db(app).engine.dispose()
    result["day_start_utc_s"] = DAY_START_S
    return result
