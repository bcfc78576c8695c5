"""Cell observations (record kind 4) of a device, for the console: the cells a badge heard,
decoded from the stored payload (docs/protocol-v1.md "Record kinds")."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from host.console import days
from host.db.models import Record
from host.protocol import KIND_CELL, payload_fields

RADIO = {1: "gsm", 2: "umts", 3: "lte", 4: "nbiot", 5: "nr"}
SIGNAL_UNKNOWN = -32768
ARFCN_UNKNOWN = 65535


def day_cells(session: Session, device_pk: int, start_ms: int, end_ms: int) -> list[Record]:
    return list(
        session.scalars(
            select(Record)
            .where(
                Record.device_pk == device_pk,
                Record.kind == KIND_CELL,
                Record.time_ms >= start_ms,
                Record.time_ms < end_ms,
            )
            .order_by(Record.seq)
        )
    )


def cell_json(rec: Record) -> dict:
    c = payload_fields(KIND_CELL, rec.raw)
    return {
        "seq": rec.seq,
        "t": days.utc_iso(rec.time_ms),
        "radio": RADIO.get(c["radio"], "unknown"),
        "role": "serving" if c["role"] == 0 else "neighbour",
        "mcc": c["mcc"],
        "mnc": "%0*d" % (c["mnc_digits"], c["mnc"]),
        "lac_tac": c["lac_tac"],
        "cell_id": c["cell_id"],
        "signal_dbm": None if c["signal_dbm"] == SIGNAL_UNKNOWN else c["signal_dbm"],
        "arfcn": None if c["arfcn"] == ARFCN_UNKNOWN else c["arfcn"],
    }
