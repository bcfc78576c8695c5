"""GET /api/v1/devices/<id>/cells: the cells a badge heard (record kind 4), stored through
the real ingest API and read back decoded (docs/protocol-v1.md "Record kinds")."""

from __future__ import annotations

import struct
from datetime import datetime, timezone

import requests
from consolekit import add_admin, login
from hostkit import post_batch

CELL_FMT = "<BBHHBhIQH3x"  # the page's kind-4 payload, written again on purpose
T0 = int(datetime(2026, 11, 30, 2, 0, tzinfo=timezone.utc).timestamp())  # 10:00 in Shanghai


def test_cells_of_the_day_decoded(app, live_server, badge):
    add_admin(app)
    records = badge.records(2, time_s=T0)
    # LTE serving cell 460-01 TAC 0x1816 ECI 0x1A2B301 at -85 dBm, and a 3-digit-MNC neighbour
    serving = struct.pack(CELL_FMT, 3, 0, 460, 1, 2, -85, 0x1816, 0x1A2B301, 1650)
    neighbour = struct.pack(CELL_FMT, 3, 1, 310, 410, 3, -32768, 0x2D0, 0x1B3C01, 65535)
    records.append(badge.other_record(4, serving, T0 + 1))
    records.append(badge.other_record(4, neighbour, T0 + 1))
    r = post_batch(live_server.url, badge.batch(records))
    assert r.status_code == 200, r.text
    with requests.Session() as web:
        assert login(web, live_server.url).status_code == 200
        got = web.get(
            f"{live_server.url}/api/v1/devices/{badge.device_id}/cells",
            params={"date": "2026-11-30"},
        )
        assert got.status_code == 200
        body = got.json()
        assert body["cells"] == [
            {
                "seq": 3,
                "t": "2026-11-30T02:00:01.000Z",
                "radio": "lte",
                "role": "serving",
                "mcc": 460,
                "mnc": "01",
                "lac_tac": 0x1816,
                "cell_id": 0x1A2B301,
                "signal_dbm": -85,
                "arfcn": 1650,
            },
            {
                "seq": 4,
                "t": "2026-11-30T02:00:01.000Z",
                "radio": "lte",
                "role": "neighbour",
                "mcc": 310,
                "mnc": "410",
                "lac_tac": 0x2D0,
                "cell_id": 0x1B3C01,
                "signal_dbm": None,
                "arfcn": None,
            },
        ]
        assert (
            web.get(f"{live_server.url}/api/v1/devices/0000000000000000/cells").json()["error"][
                "code"
            ]
            == "unknown_device"
        )
        assert (
            web.get(
                f"{live_server.url}/api/v1/devices/{badge.device_id}/cells",
                params={"date": "30/11"},
            ).status_code
            == 400
        )
    anon = requests.get(f"{live_server.url}/api/v1/devices/{badge.device_id}/cells")
    assert anon.status_code == 401
