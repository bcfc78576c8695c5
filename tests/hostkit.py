"""Test helpers for the host: a software badge that builds protocol-v1 batches with
`cryptography` + `struct` (independent of firmware/ and of host.protocol), a live-server
runner and a throw-away PostgreSQL database. Imported by tests/conftest.py and by tests.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import struct
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ROOT = Path(__file__).resolve().parent.parent
VECTORS_PATH = ROOT / "docs" / "vectors" / "protocol-v1.json"
RECORD_FMT = "<BBHIIHiiiHHHHBBBBBB32s"  # docs/protocol-v1.md, written again on purpose
OCTET = "application/octet-stream"
# The fix fields of a record after ver/kind/seq, in the page's order (the vectors' keys).
FIELDS = (
    "flags", "time_s", "time_ms", "lat_e7", "lon_e7", "alt_cm", "acc_m", "speed_cmps",
    "course_cdeg", "hdop_x10", "quality", "mode", "sats_used", "sats_seen", "cn0_max",
    "cn0_mean",
)
PG_ADMIN_DSN = os.environ.get("VISITPROOF_PG_ADMIN_DSN", "host=127.0.0.1 port=5432 user=postgres")


def load_vectors() -> dict:
    return json.loads(VECTORS_PATH.read_text())


def raw_public_key(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def pack_record(seq: int, prev_hash: bytes, **fields: int) -> bytes:
    f = {
        "ver": 1,
        "kind": 1,
        "flags": 1 | (1 << 2) | (1 << 5),
        "time_s": 1_700_000_000 + seq,
        "time_ms": 0,
        "lat_e7": 311_234_567 + seq * 10,
        "lon_e7": 1_214_567_890 - seq * 10,
        "alt_cm": 450,
        "acc_m": 5,
        "speed_cmps": 120,
        "course_cdeg": 9000,
        "hdop_x10": 9,
        "quality": 1,
        "mode": 3,
        "sats_used": 9,
        "sats_seen": 14,
        "cn0_max": 44,
        "cn0_mean": 33,
    }
    f.update(fields)
    return struct.pack(
        RECORD_FMT,
        f["ver"],
        f["kind"],
        f["flags"],
        seq,
        f["time_s"],
        f["time_ms"],
        f["lat_e7"],
        f["lon_e7"],
        f["alt_cm"],
        f["acc_m"],
        f["speed_cmps"],
        f["course_cdeg"],
        f["hdop_x10"],
        f["quality"],
        f["mode"],
        f["sats_used"],
        f["sats_seen"],
        f["cn0_max"],
        f["cn0_mean"],
        prev_hash,
    )


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


@dataclass
class SoftBadge:
    """A badge in software: its key, its chain head, and batch building.

    records(n) extends its own log; batch(records) signs a fresh upload of any records.
    """

    key: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate)
    seq: int = 0
    head: bytes = bytes(32)
    log: list[bytes] = field(default_factory=list)

    @classmethod
    def from_seed(cls, seed_hex: str) -> SoftBadge:
        return cls(key=Ed25519PrivateKey.from_private_bytes(bytes.fromhex(seed_hex)))

    @property
    def public_key(self) -> bytes:
        return raw_public_key(self.key)

    @property
    def device_id(self) -> str:
        return sha256(self.public_key)[:8].hex()

    def records(self, n: int, **fields: int) -> list[bytes]:
        out = []
        for _ in range(n):
            self.seq += 1
            raw = pack_record(self.seq, self.head, **fields)
            self.head = sha256(raw)
            out.append(raw)
        self.log.extend(out)
        return out

    def other_record(self, kind: int, payload: bytes, time_s: int | None = None) -> bytes:
        """Extend the log with one record of kind 2..5; `payload` is its 26 bytes, packed by
        the test from the page's table of kinds."""
        assert len(payload) == 26
        self.seq += 1
        frame = struct.pack("<BBHIIH", 1, kind, 1, self.seq, time_s or 1_700_000_000 + self.seq, 0)
        raw = frame + payload + self.head
        self.head = sha256(raw)
        self.log.append(raw)
        return raw

    def batch(
        self,
        records: list[bytes],
        nonce: bytes | None = None,
        key: Ed25519PrivateKey | None = None,
        device_id: bytes | None = None,
        version: int = 1,
        flags: int = 0,
        count: int | None = None,
    ) -> bytes:
        header = struct.pack(
            "<4sBBH8s8s",
            b"VPB1",
            version,
            flags,
            len(records) if count is None else count,
            device_id or bytes.fromhex(self.device_id),
            nonce or secrets.token_bytes(8),
        )
        signed = header + b"".join(records)
        return signed + (key or self.key).sign(sha256(signed))


def post_batch(
    base_url: str, body: bytes, content_type: str = OCTET, http: requests.Session | None = None
) -> requests.Response:
    return (http or requests).post(
        base_url + "/api/v1/batches",
        data=body,
        headers={"Content-Type": content_type},
        timeout=30,
    )


class LiveServer:
    """The app served by werkzeug on 127.0.0.1:<free port> in a thread."""

    def __init__(self, app) -> None:
        from werkzeug.serving import make_server

        self.app = app
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.port = self._server.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(10)

    @contextlib.contextmanager
    def session(self):
        """A database session of the served app (for checks outside a request)."""
        from host.db import get_db

        with get_db(self.app).sessions() as s:
            yield s


def postgres_reachable() -> str | None:
    """None when the server answers, else the reason it does not."""
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_DSN + " dbname=postgres", connect_timeout=3):
            return None
    except Exception as e:  # noqa: BLE001 (any failure means: no server for us)
        return f"{type(e).__name__}: {e}".strip()


def require_postgres() -> None:
    reason = postgres_reachable()
    if reason is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but PostgreSQL on 127.0.0.1:5432 is not reachable: {reason}")
    pytest.skip(f"PostgreSQL on 127.0.0.1:5432 (user postgres, trust) not reachable: {reason}")


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    """Create a fresh empty database vp_test_<random>, yield its SQLAlchemy URL, drop it."""
    import psycopg

    require_postgres()
    name = "vp_test_" + secrets.token_hex(6)
    with psycopg.connect(PG_ADMIN_DSN + " dbname=postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_DSN + " dbname=postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
