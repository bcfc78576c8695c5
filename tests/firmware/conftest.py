import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# Firmware modules import as they do on the badge (gnss.nmea, sign.ed25519, ...).
sys.path.insert(0, os.path.join(ROOT, "firmware"))
sys.path.insert(0, os.path.join(ROOT, "tests", "firmware"))
sys.path.append(os.path.join(ROOT, "tests", "firmware", "cpython_shim"))
import mptime  # noqa: E402

mptime.install()  # time.ticks_ms & co., as MicroPython's time module has them
os.chdir(ROOT)
