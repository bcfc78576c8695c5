"""The console in Debian's headless chromium: log in through the form, open a day's track,
see the polyline and one marker per fix, hover a fix for its time.

The fixes are a real walk: the TPV fixes gpsd decoded from a Haicom HI-305N receiver
(../shared/data/nmea/gpsd/haicom-305N.log.chk, 2007-04-08 around 09:53Z), stored through
the DB layer. Asia/Shanghai is UTC+8 all year, so 09:53Z is 17:53 local on the same day.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from consolekit import (
    ADMIN,
    CHROMIUM,
    DATA,
    FixSpec,
    add_admin,
    add_device_with_fixes,
    launch_chromium,
    need,
)

RECORDING = DATA / "nmea/gpsd/haicom-305N.log.chk"
EVERY = 6  # a handful of the 67 distinct epochs

pytestmark = pytest.mark.browser


def recorded_fixes() -> list[FixSpec]:
    """One fix per distinct epoch with a 2D/3D position, every EVERY-th, seq from 1."""
    first_per_time = {}
    for line in RECORDING.read_text().splitlines():
        if not line.startswith("{"):  # the .chk also echoes the NMEA sentences
            continue
        tpv = json.loads(line)
        if tpv.get("class") == "TPV" and tpv.get("mode", 0) >= 2 and "time" in tpv:
            first_per_time.setdefault(tpv["time"], tpv)
    picked = list(first_per_time.values())[::EVERY]
    return [
        FixSpec(
            seq=i + 1,
            utc=tpv["time"].replace("Z", "+00:00"),
            lat=tpv["lat"],
            lon=tpv["lon"],
            acc_m=round(tpv["eph"]) if "eph" in tpv else None,
            speed_cmps=round(tpv["speed"] * 100) if "speed" in tpv else None,
            alt_cm=round(tpv["altMSL"] * 100) if "altMSL" in tpv else None,
        )
        for i, tpv in enumerate(picked)
    ]


def test_track_page_draws_the_day(app, live_server, tmp_path):
    need(Path(CHROMIUM), "Debian's chromium")
    need(RECORDING, "the shared recording")
    from playwright.sync_api import sync_playwright

    fixes = recorded_fixes()
    assert len(fixes) >= 5
    add_admin(app)
    device_id = add_device_with_fixes(app, 0x21, "Collector Li", fixes)
    base = live_server.url
    day = fixes[0].utc[:10]  # 2007-04-08, also the local day (17:53 in Shanghai)

    errors: list[str] = []
    foreign: list[str] = []
    with sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 860})
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on(
                "request",
                lambda r: None if r.url.startswith(base) else foreign.append(r.url),
            )
            # A console page asks for the login first and comes back after it.
            page.goto(f"{base}/devices/{device_id}/track?date={day}")
            assert "/login" in page.url
            page.fill("#username", ADMIN[0])
            page.fill("#password", ADMIN[1])
            page.click("#login-form button[type=submit]")
            page.wait_for_url(f"{base}/devices/{device_id}/track?date={day}")

            page.wait_for_selector("path.vp-track", state="attached", timeout=15000)
            assert page.locator("path.vp-track").count() == 1
            d = page.locator("path.vp-track").get_attribute("d") or ""
            assert d.startswith("M") and d.count("L") == len(fixes) - 1
            assert page.locator("path.vp-fix").count() == len(fixes)
            assert page.locator(".vp-start").count() == 1 and page.locator(".vp-end").count() == 1
            summary = page.locator("#summary-text").inner_text()
            assert summary.startswith(f"{len(fixes)} fixes on {day}")
            assert "signature-verified" in page.locator("#summary").inner_text()

            # The last fix is drawn on top of the others: hover it and read its tooltip.
            last = fixes[-1]
            utc = datetime.fromisoformat(last.utc)
            local = utc + timedelta(hours=8)
            page.locator("path.vp-fix").nth(len(fixes) - 1).hover()
            tip = page.locator(".vp-fix-tip")
            tip.wait_for(state="visible", timeout=5000)
            text = tip.inner_text()
            assert local.strftime("%Y-%m-%d %H:%M:%S") + " (Asia/Shanghai)" in text
            assert utc.strftime("%Y-%m-%d %H:%M:%S") + "Z UTC" in text
            assert f"accuracy {last.acc_m} m" in text
            assert page.locator("path.vp-acc").count() == 1  # the hovered fix's radius
            page.screenshot(path=str(tmp_path / "console-track.png"))

            # The date picker's neighbours: the day before has nothing to draw.
            page.click("#prev-day")
            page.wait_for_selector("#map.vp-empty")
            assert page.locator("path.vp-fix").count() == 0

            # The devices table leads back to the track.
            page.click("nav >> text=Devices")
            row = page.locator(f"tr[data-device-id='{device_id}']")
            assert row.locator("td").nth(4).inner_text() == str(len(fixes))
            page.screenshot(path=str(tmp_path / "console-devices.png"))
            row.locator("td").first.locator("a").click()
            page.wait_for_selector("path.vp-track", state="attached")
            assert page.locator("path.vp-fix").count() == len(fixes)  # default day: the last fix's
        finally:
            browser.close()
    assert errors == []
    assert foreign == []  # no tiles configured: nothing leaves the loopback host
    print(f"screenshot: {tmp_path / 'console-track.png'}")
