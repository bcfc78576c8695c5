"""The console's login, CSRF and track JSON API, through real HTTP on loopback.

Day boundaries are hand-computed: Asia/Shanghai is UTC+8 all year, so the local day
2024-05-02 runs from 2024-05-01T16:00:00Z (inclusive) to 2024-05-02T16:00:00Z (exclusive).
"""

from __future__ import annotations

import logging
from datetime import date
from http.client import HTTPConnection

import pytest
import requests
from consolekit import ADMIN, FixSpec, add_admin, add_device_with_fixes, csrf_from, login

from host.console.links import track_path

# Stored in this (arrival) order; seq order and time order differ on purpose.
FIXES = [
    FixSpec(1, "2024-05-01T15:59:59+00:00", 31.2300000, 121.4700000),  # local 05-01 23:59:59
    FixSpec(2, "2024-05-01T16:00:00+00:00", 31.2301000, 121.4701000),  # local 05-02 00:00:00
    FixSpec(3, "2024-05-02T15:59:59.999+00:00", 31.2302000, 121.4702000),  # 05-02 23:59:59.999
    FixSpec(4, "2024-05-02T16:00:00+00:00", 31.2303000, 121.4703000),  # local 05-03 00:00:00
    FixSpec(
        5,
        "2024-05-02T03:00:00+00:00",
        31.2304000,
        121.4704000,
        acc_m=12,
        speed_cmps=250,
        alt_cm=-350,
    ),  # local 05-02 11:00
    FixSpec(
        6,
        "2024-05-01T20:00:00+00:00",
        31.2305000,
        121.4705000,
        acc_m=None,
        speed_cmps=None,
        alt_cm=None,
    ),  # local 05-02 04:00, uploaded last
    # Inside 05-02 but not placeable on a map or a day: excluded from tracks.
    FixSpec(7, "2024-05-02T05:00:00+00:00", 0.0, 0.0, valid=False),
    FixSpec(8, "2024-05-02T06:00:00+00:00", 31.24, 121.48, time_source=0),  # unsynced RTC
]


@pytest.fixture()
def server(app, live_server):
    """The live app with the admin and one device holding FIXES; (base URL, device id)."""
    add_admin(app)
    device_id = add_device_with_fixes(app, 0x11, "Collector Wang", FIXES)
    return live_server.url, device_id


@pytest.fixture()
def anon(server):
    with requests.Session() as http:
        yield http


@pytest.fixture()
def web(server):
    """A requests session logged in as the admin."""
    base, _ = server
    with requests.Session() as web:
        assert login(web, base).status_code == 200
        yield web


def _track(http, base, device_id, date=None):
    params = {} if date is None else {"date": date}
    return http.get(f"{base}/api/v1/devices/{device_id}/track", params=params)


# --- login required -------------------------------------------------------------------


def test_pages_redirect_to_login_when_logged_out(server, anon):
    base, device_id = server
    for path in ("/", "/devices", f"/devices/{device_id}/track?date=2024-05-02"):
        r = anon.get(base + path, allow_redirects=False)
        assert r.status_code == 302, path
        assert r.headers["Location"].startswith("/login?next="), path


def test_json_api_answers_401_json_when_logged_out(server, anon):
    base, device_id = server
    r = _track(anon, base, device_id, "2024-05-02")
    assert r.status_code == 401
    assert r.headers["Content-Type"].startswith("application/json")
    assert r.json() == {
        "ok": False,
        "error": {"code": "login_required", "message": "log in to the console first"},
    }


def test_login_then_pages_open_and_logout_closes(server, anon):
    base, device_id = server
    r = login(anon, base)
    assert r.status_code == 200 and r.url == f"{base}/devices"
    assert device_id in r.text and "Collector Wang" in r.text
    token = csrf_from(r.text)
    r = anon.post(f"{base}/logout", data={"csrf_token": token})
    assert r.url == f"{base}/login"
    assert _track(anon, base, device_id, "2024-05-02").status_code == 401


def test_login_follows_next_but_only_on_this_site(server, anon):
    base, device_id = server
    r = anon.get(f"{base}/devices/{device_id}/track?date=2024-05-02")
    assert r.url == f"{base}/login?next=/devices/{device_id}/track?date%3D2024-05-02"
    r = anon.post(
        r.url,
        data={
            "csrf_token": csrf_from(r.text),
            "username": ADMIN[0],
            "password": ADMIN[1],
            "next": "//evil.example/x",
        },
    )
    assert r.url == f"{base}/devices"
    with requests.Session() as other:
        r = other.get(f"{base}/devices/{device_id}/track?date=2024-05-02")
        r = other.post(
            f"{base}/login",
            data={
                "csrf_token": csrf_from(r.text),
                "username": ADMIN[0],
                "password": ADMIN[1],
                "next": f"/devices/{device_id}/track?date=2024-05-02",
            },
        )
        assert r.url == f"{base}/devices/{device_id}/track?date=2024-05-02"


def test_login_failures_are_generic_and_never_log_the_password(server, anon, caplog):
    base, _ = server
    caplog.set_level(logging.DEBUG)
    wrong = "hunter2-not-the-password"
    r1 = login(anon, base, ADMIN[0], wrong)
    r2 = login(anon, base, "nobody-by-that-name", wrong)
    for r in (r1, r2):
        assert r.status_code == 401
        assert "invalid username or password" in r.text
    assert wrong not in caplog.text and ADMIN[1] not in caplog.text
    assert anon.get(f"{base}/devices", allow_redirects=False).status_code == 302


# --- CSRF -----------------------------------------------------------------------------


def test_login_post_without_csrf_token_is_refused(server, anon):
    base, _ = server
    anon.get(f"{base}/login")  # the session has a token, the form below does not send it
    r = anon.post(f"{base}/login", data={"username": ADMIN[0], "password": ADMIN[1]})
    assert r.status_code == 400 and "CSRF" in r.text
    r = anon.post(
        f"{base}/login", data={"csrf_token": "forged", "username": ADMIN[0], "password": ADMIN[1]}
    )
    assert r.status_code == 400
    assert anon.get(f"{base}/devices", allow_redirects=False).status_code == 302


def test_logout_without_csrf_token_is_refused(server, web):
    base, _ = server
    assert web.post(f"{base}/logout").status_code == 400
    assert web.get(f"{base}/devices", allow_redirects=False).status_code == 200


def test_token_from_before_login_is_useless_after_it(server, anon):
    base, _ = server
    old = csrf_from(anon.get(f"{base}/login").text)
    r = anon.post(
        f"{base}/login", data={"csrf_token": old, "username": ADMIN[0], "password": ADMIN[1]}
    )
    assert r.url == f"{base}/devices"
    assert anon.post(f"{base}/logout", data={"csrf_token": old}).status_code == 400


# --- track API ------------------------------------------------------------------------


def test_track_is_the_local_day_in_fix_time_order(server, web):
    base, device_id = server
    r = _track(web, base, device_id, "2024-05-02")
    assert r.status_code == 200
    body = r.json()
    assert (body["device_id"], body["date"], body["tz"]) == (
        device_id,
        "2024-05-02",
        "Asia/Shanghai",
    )
    assert [f["seq"] for f in body["fixes"]] == [2, 6, 5, 3]
    assert [f["t"] for f in body["fixes"]] == [
        "2024-05-01T16:00:00.000Z",
        "2024-05-01T20:00:00.000Z",
        "2024-05-02T03:00:00.000Z",
        "2024-05-02T15:59:59.999Z",
    ]
    assert body["fixes"][2] == {
        "seq": 5,
        "t": "2024-05-02T03:00:00.000Z",
        "lat": 31.2304,
        "lon": 121.4704,
        "acc_m": 12,
        "speed_mps": 2.5,
        "alt_m": -3.5,
    }
    assert body["fixes"][1] == {
        "seq": 6,
        "t": "2024-05-01T20:00:00.000Z",
        "lat": 31.2305,
        "lon": 121.4705,
        "acc_m": None,
        "speed_mps": None,
        "alt_m": None,
    }


def test_neighbouring_days_split_at_local_midnight(server, web):
    base, device_id = server
    assert [f["seq"] for f in _track(web, base, device_id, "2024-05-01").json()["fixes"]] == [1]
    assert [f["seq"] for f in _track(web, base, device_id, "2024-05-03").json()["fixes"]] == [4]
    assert _track(web, base, device_id, "2024-04-30").json()["fixes"] == []


def test_default_day_is_the_local_day_of_the_latest_fix(server, web):
    base, device_id = server
    body = _track(web, base, device_id).json()
    assert body["date"] == "2024-05-03"  # seq 4, 2024-05-02T16:00Z = 05-03 00:00 local
    assert [f["seq"] for f in body["fixes"]] == [4]


def test_day_follows_the_configured_zone(app, server, web):
    base, device_id = server
    app.config["VISITPROOF_TZ"] = "UTC"
    body = _track(web, base, device_id, "2024-05-02").json()
    assert body["tz"] == "UTC"
    assert [f["seq"] for f in body["fixes"]] == [5, 3, 4]


def test_bad_date_is_400_json(server, web):
    base, device_id = server
    # The last two: days no 32-bit fix time can fall on (they once overflowed into a 500).
    for bad in (
        "2024-13-01",
        "2024-02-30",
        "20240501",
        "yesterday",
        "",
        "0001-01-01",
        "9999-12-31",
    ):
        r = _track(web, base, device_id, bad)
        assert r.status_code == 400, bad
        assert r.json()["error"]["code"] == "bad_date", bad


def test_unknown_device_is_404_json(server, web):
    base, _ = server
    r = _track(web, base, "00000000deadbeef", "2024-05-02")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "unknown_device"


def test_track_page_and_devices_table(server, web):
    base, device_id = server
    devices = web.get(f"{base}/devices").text
    assert f'href="/devices/{device_id}/track"' in devices
    assert ">8<" in devices.replace(" ", "")  # fixes stored: all 8 rows of the device
    page = web.get(f"{base}/devices/{device_id}/track?date=2024-05-02")
    assert page.status_code == 200
    assert 'id="map"' in page.text
    assert f'data-api="/api/v1/devices/{device_id}/track?date=2024-05-02"' in page.text
    assert f'href="/devices/{device_id}/track?date=2024-05-01"' in page.text
    assert f'href="/devices/{device_id}/track?date=2024-05-03"' in page.text
    # What the demo prints is the page's own address.
    assert web.get(base + track_path(device_id, date(2024, 5, 2))).url == page.url
    assert web.get(base + track_path(device_id)).status_code == 200
    assert web.get(f"{base}/devices/{device_id}/track?date=nope").status_code == 400
    assert web.get(f"{base}/devices/00000000deadbeef/track").status_code == 404


def test_leaflet_is_served_from_node_modules(server, anon):
    base, _ = server
    r = anon.get(f"{base}/vendor/leaflet/leaflet.js")
    assert r.status_code == 200 and "Leaflet" in r.text[:400]
    # A raw "..": requests would normalise it away before sending.
    conn = HTTPConnection(base.removeprefix("http://"), timeout=10)
    conn.request("GET", "/vendor/leaflet/../../package.json")
    assert conn.getresponse().status == 404
    conn.close()


def test_missing_node_modules_says_run_make_setup(app, server, web, tmp_path):
    base, device_id = server
    app.config["VISITPROOF_NODE_MODULES"] = str(tmp_path / "no_node_modules")
    r = web.get(f"{base}/devices/{device_id}/track")
    assert r.status_code == 503 and "make setup" in r.text
    assert web.get(f"{base}/vendor/leaflet/leaflet.js").status_code == 503


def test_fixes_uploaded_by_a_badge_show_on_its_track(app, live_server, badge):
    """Through the real ingest path: a signed batch in, the day's track out."""
    from hostkit import post_batch

    add_admin(app)
    base = live_server.url
    # 1714579200 = 2024-05-01T16:00:00Z = 2024-05-02 00:00 in Shanghai; the 3rd is a day later.
    records = [
        *badge.records(1, time_s=1714579200 + 60, lat_e7=312_300_000, lon_e7=1_214_700_000),
        *badge.records(1, time_s=1714579200 + 30, lat_e7=312_300_500, lon_e7=1_214_700_500),
        *badge.records(1, time_s=1714579200 + 86400, acc_m=65535, speed_cmps=65535),
    ]
    assert post_batch(base, badge.batch(records)).status_code == 200
    with requests.Session() as web:
        login(web, base)
        body = _track(web, base, badge.device_id, "2024-05-02").json()
    assert body["fixes"] == [
        {
            "seq": 2,
            "t": "2024-05-01T16:00:30.000Z",
            "lat": 31.23005,
            "lon": 121.47005,
            "acc_m": 5,
            "speed_mps": 1.2,
            "alt_m": 4.5,
        },
        {
            "seq": 1,
            "t": "2024-05-01T16:01:00.000Z",
            "lat": 31.23,
            "lon": 121.47,
            "acc_m": 5,
            "speed_mps": 1.2,
            "alt_m": 4.5,
        },
    ]
