"""The trusted floor of UTC the badge starts with: no fix it reads can be older than its
firmware. `gnss.nmea.NmeaReader.set_time_floor` takes it (badge/app.py make_reader), and a
newer network time when the app has one. Raise it at each release."""

from micropython import const

BUILD_FLOOR_S = const(1796083200)  # 2026-12-01T00:00:00Z
