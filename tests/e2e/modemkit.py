"""Helpers of the modem end-to-end tests (test_modem_day.py, test_modem_faults.py): the demo
chain with the badge uploading through the modem simulator, and an independent look at what
the host stored (cryptography for the signatures, host.protocol for the payloads)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select

from host.db import get_db
from host.db.models import Batch, Device, Fix, Record
from host.protocol import KIND_CELL, parse_batch, payload_fields
from host.sim.demo import Demo
from host.sim.modem.cells import DEFAULT_STAGES


def run_through_modem(
    workdir: Path, log: Path, faults, dialect="simcom", batch=60, speed=500, next_start=False
):
    """The demo chain through the modem simulator. next_start: when the badge ends its day
    with records still pending (its end-of-stream flush stops after 5 failed attempts,
    firmware/badge/uploader.py), start it once more with no new fixes, as the next
    morning would, and report what the first run left in `pending_after_day`."""
    demo = Demo(workdir)
    try:
        demo.start_host()
        demo.provision_badge()
        opts = {"uplink": "modem", "modem_dialect": dialect, "faults": faults}
        badge = demo.replay(log, speed=speed, batch=batch, **opts)
        badge["pending_after_day"] = badge["records_pending"]
        if next_start and badge["records_pending"]:
            empty = workdir / "no-fixes.nmea"
            empty.write_bytes(b"")
            again = demo.replay(empty, speed=speed, batch=batch, **opts)
            for key in ("records_uploaded", "upload_errors", "modem_upload_attempts"):
                badge[key] += again[key]
            badge["records_pending"] = again["records_pending"]
            badge["records_rejected"] += again["records_rejected"]
            # one plan across both runs: its counts are already the totals
            badge["modem_faults_injected"] = again["modem_faults_injected"]
            badge["modem_faults_by_kind"] = again["modem_faults_by_kind"]
        return demo, badge, demo.host_summary()
    finally:
        demo.stop()


def stored(demo: Demo) -> dict:
    """Fix times and positions in seq order, cell payloads, and how many records the batch
    signatures cover: each batch's signed bytes (its header and canonical records, rebuilt
    by host.protocol from a compact body) verified with `cryptography`."""
    with get_db(demo.app).sessions() as s:
        device = s.scalar(select(Device).where(Device.device_id == demo.device_id))
        key = Ed25519PublicKey.from_public_bytes(device.public_key)
        covered = 0
        for b in s.scalars(select(Batch).where(Batch.device_pk == device.id)):
            signed = parse_batch(b.body).signed_bytes
            key.verify(b.body[-64:], hashlib.sha256(signed).digest())  # raises if forged
            covered += b.stored
        fixes = s.execute(
            select(Fix.seq, Fix.fix_ms, Fix.lat_e7, Fix.lon_e7)
            .where(Fix.device_pk == device.id)
            .order_by(Fix.seq)
        ).all()
        cells = [
            (seq, payload_fields(KIND_CELL, raw))
            for seq, raw in s.execute(
                select(Record.seq, Record.raw)
                .where(Record.device_pk == device.id, Record.kind == KIND_CELL)
                .order_by(Record.seq)
            )
        ]
    return {"covered": covered, "fixes": fixes, "cells": cells}


def scripted_cells() -> dict[tuple[int, int, int, int], int]:
    """(mcc, mnc, tac, eci) -> RSRP dBm of the simulator's default serving cells."""
    return {
        (s.serving.mcc, s.serving.mnc, s.serving.tac, s.serving.cell_id): s.serving.rsrp_dbm
        for s in DEFAULT_STAGES
    }
